-- Fulfilment runs that wait on services and people (issue 6, the desk joined with recipients):
-- * fulfilment_http_connectors.resends: how often a delivery whose callback is overdue (callback_hours) is
--   sent again before the step fails with "no answer from <system> after N attempts — retry".
-- * fulfilment_recipient_tasks.sends: deliveries the service accepted (202) so far; status 'unanswered' when
--   the resends are spent (a person's retry reopens it; a late answer or a tick still settles it).
-- * fulfilment_steps.note: what a step wants the desk to know without failing, e.g. "no PDF: Chromium not
--   found". No personal data.
ALTER TABLE fulfilment_http_connectors
  ADD COLUMN resends integer NOT NULL DEFAULT 2 CHECK (resends BETWEEN 0 AND 10);

ALTER TABLE fulfilment_recipient_tasks ADD COLUMN sends integer NOT NULL DEFAULT 0;
ALTER TABLE fulfilment_recipient_tasks DROP CONSTRAINT fulfilment_recipient_tasks_status_check;
ALTER TABLE fulfilment_recipient_tasks ADD CONSTRAINT fulfilment_recipient_tasks_status_check
  CHECK (status IN ('open', 'sent', 'unanswered', 'done', 'failed'));
DROP INDEX fulfilment_recipient_tasks_open;
CREATE INDEX fulfilment_recipient_tasks_open ON fulfilment_recipient_tasks (status)
  WHERE status IN ('open', 'sent', 'unanswered');

ALTER TABLE fulfilment_steps ADD COLUMN note text;
