-- Data subject requests: the desk (0300-0399). Personal data of the requester is kept to what an
-- answer needs: the e-mail address (to reply), its hash (to find duplicates without reading it) and an
-- optional name. Nothing else; never a copy of an identity document.

CREATE TABLE dsr_submissions (
  id              uuid PRIMARY KEY,
  channel         text NOT NULL,           -- web | api | console
  email           text NOT NULL,
  email_hash      text NOT NULL,
  name            text,
  lang            text NOT NULL DEFAULT 'en',
  scope           text NOT NULL,           -- 'group' or one organization id
  idempotency_key text,
  idempotency_principal text,
  body_hash       text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dsr_submissions_idem ON dsr_submissions (idempotency_principal, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX dsr_submissions_email_hash ON dsr_submissions (email_hash);

CREATE TABLE dsr_requests (
  id                 uuid PRIMARY KEY,
  submission_id      uuid NOT NULL REFERENCES dsr_submissions (id),
  org_id             text NOT NULL,
  type               text NOT NULL,
  state              text NOT NULL,
  details            text,                  -- what the customer asked, in their words (may be empty)
  purpose_id         text,                  -- objection / withdrawal: which purpose
  scope              jsonb NOT NULL DEFAULT '{}'::jsonb,
  received_at        timestamptz NOT NULL,
  due_date           date NOT NULL,
  original_due_date  date NOT NULL,
  legal_due_date     date NOT NULL,
  max_due_date       date NOT NULL,
  extension_reason   text,
  assignee           text,
  verified_at        timestamptz,
  verification_method text,
  decision           jsonb,
  closed_at          timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dsr_requests_queue ON dsr_requests (state, due_date);
CREATE INDEX dsr_requests_org ON dsr_requests (org_id);
CREATE INDEX dsr_requests_submission ON dsr_requests (submission_id);

CREATE TABLE dsr_events (
  id          bigserial PRIMARY KEY,
  request_id  uuid NOT NULL REFERENCES dsr_requests (id),
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  kind        text NOT NULL,
  note        text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX dsr_events_request ON dsr_events (request_id, id);

CREATE TABLE dsr_verification_codes (
  submission_id uuid PRIMARY KEY REFERENCES dsr_submissions (id),
  code_hash     text NOT NULL,
  expires_at    timestamptz NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  used_at       timestamptz
);

CREATE TABLE mail_outbox (
  id          uuid PRIMARY KEY,
  to_address  text NOT NULL,
  template    text NOT NULL,
  lang        text NOT NULL,
  subject     text NOT NULL,
  body        text NOT NULL,
  request_id  uuid,
  status      text NOT NULL DEFAULT 'pending',  -- pending | sent | failed
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text,
  created_at  timestamptz NOT NULL,
  sent_at     timestamptz
);
CREATE INDEX mail_outbox_status ON mail_outbox (status, created_at);

-- Stops applied at once: an objection to direct marketing (Art. 21(3)) and a withdrawal of consent
-- (Art. 7(3)). Keyed by the e-mail hash so the systems that send marketing can check it without the address.
CREATE TABLE dsr_stops (
  id          bigserial PRIMARY KEY,
  email_hash  text NOT NULL,
  org_id      text NOT NULL,
  purpose_id  text NOT NULL,
  kind        text NOT NULL,        -- objection-direct-marketing | consent-withdrawn | objection-upheld
  request_id  uuid NOT NULL REFERENCES dsr_requests (id),
  at          timestamptz NOT NULL
);
CREATE INDEX dsr_stops_lookup ON dsr_stops (email_hash, purpose_id);
