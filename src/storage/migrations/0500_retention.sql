-- Retention enforcement: each sweep of the group's own databases is a run (a dry run too), with one step
-- per database (one transaction there; done once, so a run resumed after a crash or failure skips what was
-- committed) and its outcomes: row counts per system, collection, rule and action. No personal data: the
-- rows themselves are never copied here. Scheduled runs carry run_key 'daily:YYYY-MM-DD' (one per day).
CREATE TABLE retention_runs (
  id text PRIMARY KEY,
  run_key text UNIQUE,
  today date NOT NULL,
  dry_run boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  started_by text NOT NULL,
  steps_total integer NOT NULL DEFAULT 0,
  steps_done integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 1,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX retention_runs_started ON retention_runs (started_at DESC);

CREATE TABLE retention_steps (
  run_id text NOT NULL REFERENCES retention_runs (id) ON DELETE CASCADE,
  dataset text NOT NULL,
  system text NOT NULL,
  position integer NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  -- The outcome came from the database's own record of a commit an earlier attempt made before it stopped.
  recovered boolean NOT NULL DEFAULT false,
  error text,
  finished_at timestamptz,
  PRIMARY KEY (run_id, dataset)
);

CREATE TABLE retention_outcomes (
  run_id text NOT NULL REFERENCES retention_runs (id) ON DELETE CASCADE,
  dataset text NOT NULL,
  system text NOT NULL,
  collection text NOT NULL,
  rule text NOT NULL,
  action text NOT NULL CHECK (action IN ('delete', 'anonymise', 'mask', 'erase-due', 'keep', 'held', 'blocked')),
  detail text NOT NULL DEFAULT '',
  row_count integer NOT NULL CHECK (row_count >= 0),
  PRIMARY KEY (run_id, dataset, collection, rule, action, detail)
);
