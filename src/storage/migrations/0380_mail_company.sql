-- The company a mail belongs to, so the console's outbox and demo inbox show each agent only their
-- companies' mail. NULL is the group's (a group request's mail, a digest over companies, mail of the
-- catcher that matches no outbox row): shown only to someone with requests:read in every company.
ALTER TABLE mail_outbox ADD COLUMN org_id text;
ALTER TABLE mail_catcher ADD COLUMN org_id text;

-- Mail already sent for a company's request belongs to that company (a group request's stays NULL).
UPDATE mail_outbox AS m SET org_id = r.org_id
  FROM dsr_requests AS r
 WHERE m.request_id = r.id AND r.scope->'group' IS NULL;

CREATE INDEX mail_outbox_org ON mail_outbox (org_id, created_at DESC);
CREATE INDEX mail_catcher_org ON mail_catcher (org_id, received_at DESC);
