-- Fulfilment: one run per request (keyed by the request desk's id), its steps (one per database and
-- operation, each done once: idempotent and resumable), and the artifacts handed to the data subject
-- (extract JSON/HTML, portability ZIP), which expire: personal data found for a request is kept only as
-- long as the request needs it. Steps record counts and rule ids only, never personal data.
CREATE TABLE fulfilment_runs (
  request_id text PRIMARY KEY,
  org_id text NOT NULL,
  type text NOT NULL CHECK (type IN ('access', 'portability', 'erasure', 'rectification', 'restriction')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  steps_total integer NOT NULL DEFAULT 0,
  steps_done integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  job_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE fulfilment_steps (
  request_id text NOT NULL REFERENCES fulfilment_runs (request_id) ON DELETE CASCADE,
  step text NOT NULL,
  position integer NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  outcome jsonb,
  attempts integer NOT NULL DEFAULT 0,
  error text,
  finished_at timestamptz,
  PRIMARY KEY (request_id, step)
);

CREATE TABLE fulfilment_artifacts (
  request_id text NOT NULL REFERENCES fulfilment_runs (request_id) ON DELETE CASCADE,
  name text NOT NULL,
  content_type text NOT NULL,
  body bytea NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (request_id, name)
);
