-- Security: roles per organization, API keys, the audit head (truncation detection),
-- append-only audit rows, login throttling, TOTP and invite/reset tokens.

CREATE TABLE role_assignments (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  org_id     text NOT NULL,
  role       text NOT NULL CHECK (role IN ('dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor')),
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, org_id, role)
);
CREATE INDEX role_assignments_org ON role_assignments (org_id);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  key_hash     text NOT NULL UNIQUE,          -- sha256 of the whole key; the key itself is shown once
  prefix       text NOT NULL,                 -- first characters, to recognise a key in lists
  org_ids      text[] NOT NULL,
  permissions  text[] NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  rotated_from uuid REFERENCES api_keys (id)
);

-- The head of the audit chain, updated in the same transaction as each append: a log cut
-- short at the tail no longer matches it.
CREATE TABLE audit_head (
  id    integer PRIMARY KEY CHECK (id = 1),
  seq   bigint NOT NULL,
  count bigint NOT NULL,
  hash  text NOT NULL
);
INSERT INTO audit_head (id, seq, count, hash)
SELECT 1, coalesce(max(seq), 0), count(*),
       coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), repeat('0', 64))
FROM audit_log;

-- Audit rows are append-only for the application; a superuser can still disable this, which
-- is what the hash chain and the head are for.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION ombud_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION ombud_immutable();

ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz;
ALTER TABLE users ADD COLUMN totp_secret text;          -- encrypted (src/core/secrets)
ALTER TABLE users ADD COLUMN totp_pending text;          -- encrypted, until confirmed with a code
ALTER TABLE users ADD COLUMN reset_token_hash text;
ALTER TABLE users ADD COLUMN reset_expires_at timestamptz;
