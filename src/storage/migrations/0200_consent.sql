-- Consent and communication preferences (issue 4): data subjects and their identities per
-- organization, consent/objection events as immutable evidence, the current state kept in the
-- same transaction, idempotency keys, and cookie-banner proofs.

CREATE TABLE consent_subjects (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      text NOT NULL,
  restricted  boolean NOT NULL DEFAULT false,     -- Art. 18 restriction: no communication at all
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_subjects_org ON consent_subjects (org_id);

-- One row per normalised identity. value_hash = HMAC-SHA256(key, kind || ':' || value): lookups
-- go by the hash, so the plain value never needs to appear in a WHERE clause, log or URL.
CREATE TABLE consent_identities (
  subject_id  uuid NOT NULL REFERENCES consent_subjects (id) ON DELETE CASCADE,
  org_id      text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('email', 'phone', 'customer-number')),
  value       text NOT NULL,
  value_hash  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, kind, value_hash)
);
CREATE INDEX consent_identities_subject ON consent_identities (subject_id);
-- Lookups by hash alone (the hash already binds organization and kind).
CREATE INDEX consent_identities_hash ON consent_identities (value_hash);

CREATE TABLE consent_events (
  seq             bigserial PRIMARY KEY,
  id              uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  org_id          text NOT NULL,
  subject_id      uuid NOT NULL REFERENCES consent_subjects (id),
  purpose_id      text NOT NULL,
  channel         text NOT NULL,                  -- email, sms, …, cookie:<category>, or '*' (every channel)
  kind            text NOT NULL CHECK (kind IN ('grant', 'withdraw', 'object', 'lift-objection')),
  wording         text,                           -- the exact text shown to the person
  notice_version  integer,
  source          text NOT NULL,
  actor           text NOT NULL,
  at              timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  idempotency_key text,
  request_hash    text
);
CREATE INDEX consent_events_subject ON consent_events (subject_id, seq);
CREATE UNIQUE INDEX consent_events_idem ON consent_events (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TRIGGER consent_events_immutable BEFORE UPDATE OR DELETE ON consent_events
  FOR EACH ROW EXECUTE FUNCTION ombud_immutable();

-- The current state, kept by the same transaction that appends the event.
CREATE TABLE consent_state (
  org_id      text NOT NULL,
  subject_id  uuid NOT NULL REFERENCES consent_subjects (id),
  purpose_id  text NOT NULL,
  channel     text NOT NULL,
  status      text NOT NULL CHECK (status IN ('granted', 'withdrawn', 'objected', 'objection-lifted')),
  event_id    uuid NOT NULL,
  since       timestamptz NOT NULL,
  PRIMARY KEY (subject_id, purpose_id, channel)
);
CREATE INDEX consent_state_org_purpose ON consent_state (org_id, purpose_id, channel, status);

-- Cookie-banner choices, stored as proof under the anonymous consent id (no personal data).
CREATE TABLE cookie_consents (
  seq               bigserial PRIMARY KEY,
  consent_id        text NOT NULL,
  org_id            text NOT NULL,
  action            text NOT NULL,
  categories        jsonb NOT NULL,
  inventory_version text NOT NULL,
  gpc               boolean NOT NULL,
  lang              text NOT NULL,
  url               text NOT NULL,
  at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cookie_consents_id ON cookie_consents (consent_id, seq);
CREATE TRIGGER cookie_consents_immutable BEFORE UPDATE OR DELETE ON cookie_consents
  FOR EACH ROW EXECUTE FUNCTION ombud_immutable();
