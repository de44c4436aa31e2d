-- Consent webhooks at production rates (issue 17): the outbox table is the queue. A worker claims
-- whole lanes (one endpoint, one data subject) for a lease, sends a lane's deliveries in the order of
-- their events, and writes each outcome back; a failed delivery waits (next_attempt_at) and holds
-- its lane back until it is delivered or dead.

ALTER TABLE webhook_deliveries ADD COLUMN subject_id uuid;
ALTER TABLE webhook_deliveries ADD COLUMN event_seq bigint;
UPDATE webhook_deliveries d SET subject_id = e.subject_id, event_seq = e.seq
  FROM consent_events e WHERE e.id = d.event_id;
ALTER TABLE webhook_deliveries ALTER COLUMN subject_id SET NOT NULL;
ALTER TABLE webhook_deliveries ALTER COLUMN event_seq SET NOT NULL;

-- null: due now. Written by the worker's clock, compared with it.
ALTER TABLE webhook_deliveries ADD COLUMN next_attempt_at timestamptz;
-- A worker holds the delivery (and the rest of its lane) until then; null: nobody.
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until timestamptz;
-- Failed attempts (a 429 is an attempt but no failure): the retry limit counts these.
ALTER TABLE webhook_deliveries ADD COLUMN failures integer NOT NULL DEFAULT 0;
UPDATE webhook_deliveries SET failures = attempts WHERE status <> 'delivered';

CREATE INDEX webhook_deliveries_pending_seq ON webhook_deliveries (event_seq, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_pending_lane
  ON webhook_deliveries (endpoint_id, subject_id, event_seq, id) WHERE status = 'pending';
