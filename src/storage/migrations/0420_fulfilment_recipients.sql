-- Fulfilment in systems outside the group's own databases, and recipients told (Art. 19).
-- fulfilment_http_connectors: an external service that implements the signed request/callback contract
-- (docs/connectors/http.md); its signing secret is sealed (AES-GCM envelope, context
-- "fulfilment-connector:<system_id>") and rotated by `ombud secrets reseal` (SEALED_COLUMNS).
-- fulfilment_recipient_tasks: one per request and recipient system, carried out through the HTTP
-- connector or, for a system with no interface, as a manual task a person ticks off with a note. A run
-- whose tasks are still open is 'waiting'; it is done when every task is answered. No personal data here:
-- answers hold a status, counts and the service's or person's note.
CREATE TABLE fulfilment_http_connectors (
  system_id text PRIMARY KEY,
  url text NOT NULL,
  secret_sealed text NOT NULL,
  timeout_ms integer NOT NULL DEFAULT 10000 CHECK (timeout_ms BETWEEN 100 AND 120000),
  callback_hours integer NOT NULL DEFAULT 72 CHECK (callback_hours > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fulfilment_recipient_tasks (
  request_id text NOT NULL REFERENCES fulfilment_runs (request_id) ON DELETE CASCADE,
  system_id text NOT NULL,
  org_id text NOT NULL,
  action text NOT NULL CHECK (action IN ('access', 'erasure', 'rectification', 'restriction')),
  via text NOT NULL CHECK (via IN ('http', 'manual')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'sent', 'done', 'failed')),
  delivery_id text NOT NULL UNIQUE,
  answer jsonb,
  note text,
  done_by text,
  sent_at timestamptz,
  answered_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, system_id)
);
CREATE INDEX fulfilment_recipient_tasks_open ON fulfilment_recipient_tasks (status) WHERE status IN ('open', 'sent');

ALTER TABLE fulfilment_runs DROP CONSTRAINT fulfilment_runs_status_check;
ALTER TABLE fulfilment_runs ADD CONSTRAINT fulfilment_runs_status_check
  CHECK (status IN ('queued', 'running', 'waiting', 'done', 'failed'));
ALTER TABLE fulfilment_steps DROP CONSTRAINT fulfilment_steps_status_check;
ALTER TABLE fulfilment_steps ADD CONSTRAINT fulfilment_steps_status_check
  CHECK (status IN ('pending', 'waiting', 'done', 'failed'));
