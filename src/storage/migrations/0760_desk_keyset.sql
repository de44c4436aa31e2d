-- The desk at volume (0760-0769): the queue pages by keyset on (due date, received at, id), so a page
-- reads only its rows however deep it is; per company, the same order for a company's filter.
CREATE INDEX dsr_requests_due_keyset ON dsr_requests (due_date, received_at, id);
CREATE INDEX dsr_requests_org_due_keyset ON dsr_requests (org_id, due_date, received_at, id);
-- The task list: open tasks by system and age.
CREATE INDEX fulfilment_recipient_tasks_board ON fulfilment_recipient_tasks (system_id, created_at, request_id)
  WHERE status IN ('open', 'sent', 'unanswered');
