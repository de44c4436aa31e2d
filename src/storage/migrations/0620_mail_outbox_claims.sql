-- Several Ombud processes deliver the outbox (API and worker processes, ombud start --role): a process
-- claims the mail it is about to send until this time, so no other process sends it too. A claim left by
-- a process that stopped mid-send ends at this time, and the mail is sent by the next delivery.
ALTER TABLE mail_outbox ADD COLUMN claimed_until timestamptz;
