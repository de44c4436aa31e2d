-- Foundation: register revisions, published notices, admin people and sessions, the audit chain.
-- Numbering: 0001-0099 foundation, 0100 security, 0200 consent, 0300 requests, 0400 fulfilment, 0500 retention.

CREATE OR REPLACE FUNCTION ombud_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'rows of % are immutable', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TABLE register_revisions (
  id          serial PRIMARY KEY,
  content_hash text NOT NULL,
  register    jsonb NOT NULL,
  sources     jsonb NOT NULL,
  findings    jsonb NOT NULL DEFAULT '[]'::jsonb,
  applied_by  text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX register_revisions_hash ON register_revisions (content_hash);
CREATE TRIGGER register_revisions_immutable BEFORE UPDATE OR DELETE ON register_revisions
  FOR EACH ROW EXECUTE FUNCTION ombud_immutable();

CREATE TABLE notice_versions (
  id                   serial PRIMARY KEY,
  org_id               text NOT NULL,
  version              integer NOT NULL,
  effective_date       date NOT NULL,
  published_at         timestamptz NOT NULL DEFAULT now(),
  published_by         text NOT NULL,
  register_revision_id integer NOT NULL REFERENCES register_revisions (id),
  facts                jsonb NOT NULL,
  content_hash         text NOT NULL,
  changes              jsonb NOT NULL DEFAULT '[]'::jsonb,
  material             boolean NOT NULL DEFAULT false,
  UNIQUE (org_id, version)
);
CREATE TRIGGER notice_versions_immutable BEFORE UPDATE OR DELETE ON notice_versions
  FOR EACH ROW EXECUTE FUNCTION ombud_immutable();

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL UNIQUE,
  name          text NOT NULL DEFAULT '',
  password_hash text NOT NULL,
  is_owner      boolean NOT NULL DEFAULT false,
  disabled_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id           text PRIMARY KEY,            -- sha256 of the cookie token; the token itself is never stored
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
  seq       bigserial PRIMARY KEY,
  at        timestamptz NOT NULL,
  actor     text NOT NULL,
  org_id    text,
  action    text NOT NULL,
  target    text,
  reason    text,
  details   jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL,
  hash      text NOT NULL
);
CREATE INDEX audit_log_org_at ON audit_log (org_id, at);
CREATE INDEX audit_log_target ON audit_log (target);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);
