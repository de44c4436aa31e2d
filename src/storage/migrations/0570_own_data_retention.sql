-- Ombud's own data under the register's retention rules (issue 13; core/retention/ownData.ts,
-- services/retention/ownData.ts). A closed request's personal data is removed after its rule
-- (store 'requests'): the submission keeps its id, channel, language, scope and day, without the
-- e-mail address, its hash or the name; anonymised_at says when. A sent mail's body and address go
-- after theirs (store 'mail'): a masked address stays, and body_removed_at says when.
ALTER TABLE dsr_submissions ALTER COLUMN email DROP NOT NULL;
ALTER TABLE dsr_submissions ALTER COLUMN email_hash DROP NOT NULL;
ALTER TABLE dsr_submissions ADD COLUMN anonymised_at timestamptz;
ALTER TABLE mail_outbox ADD COLUMN body_removed_at timestamptz;
CREATE INDEX dsr_requests_closed ON dsr_requests (submission_id, closed_at);
CREATE INDEX mail_outbox_sent ON mail_outbox (sent_at) WHERE body_removed_at IS NULL;
