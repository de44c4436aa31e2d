-- A webhook delivery belongs to its consent event's company (access per resource: a company's
-- engineers see and replay only their company's deliveries). Backfilled from the event.

ALTER TABLE webhook_deliveries ADD COLUMN org_id text;
UPDATE webhook_deliveries d SET org_id = e.org_id FROM consent_events e WHERE e.id = d.event_id;
ALTER TABLE webhook_deliveries ALTER COLUMN org_id SET NOT NULL;
CREATE INDEX webhook_deliveries_org ON webhook_deliveries (org_id, created_at);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id);
