-- Retention outside the SQL databases (src/services/retention/outside.ts). A run asks each register
-- system that no connected SQL dataset sweeps, once per purpose rule: through its HTTP connector (a signed
-- `ombud.retention.request`, delivery_id the idempotency key of run + system + rule), or, without one, by
-- a manual task. No personal data: rules, days, counts and notes only.
CREATE TABLE retention_requests (
  run_id text NOT NULL REFERENCES retention_runs (id) ON DELETE CASCADE,
  system text NOT NULL,
  rule text NOT NULL,
  via text NOT NULL CHECK (via IN ('http', 'manual')),
  action text NOT NULL CHECK (action IN ('delete', 'anonymise')),
  expired_before date NOT NULL,
  -- pending: not asked yet (or to ask again on resume); done: answered (counts below); accepted: the
  -- service answered 202, its callback is awaited; failed: the service failed or answered failed;
  -- task: a manual task stands for it (task_id); planned: a dry run, nothing was asked.
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'done', 'accepted', 'failed', 'task', 'planned')),
  delivery_id text UNIQUE,
  deleted integer CHECK (deleted >= 0),
  anonymised integer CHECK (anonymised >= 0),
  kept integer CHECK (kept >= 0),
  message text,
  error text,
  task_id text,
  -- The run opened the task (false: a task of the same rule and period was already there).
  task_opened boolean NOT NULL DEFAULT false,
  attempts integer NOT NULL DEFAULT 0,
  answer_by timestamptz,
  answered_at timestamptz,
  position integer NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, system, rule)
);

-- A person's task: delete or anonymise in a system with no interface what a rule has ended. One per
-- system, rule and period (calendar month), however many daily runs ask.
CREATE TABLE retention_tasks (
  id text PRIMARY KEY,
  system text NOT NULL,
  rule text NOT NULL,
  period text NOT NULL,
  action text NOT NULL CHECK (action IN ('delete', 'anonymise')),
  expired_before date NOT NULL,
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'not-held')),
  records integer CHECK (records >= 0),
  note text,
  opened_by_run text REFERENCES retention_runs (id) ON DELETE SET NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  done_by text,
  done_at timestamptz,
  UNIQUE (system, rule, period),
  CHECK ((status = 'open') = (done_at IS NULL))
);
CREATE INDEX retention_tasks_open ON retention_tasks (due_on) WHERE status = 'open';
