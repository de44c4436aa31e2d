-- Declarative SaaS connectors (docs/connectors/saas.md): per register system, the connector file's content
-- (parsed and validated, as JSON), the settings it is given (not secret: a list id, a shop name) and its
-- secrets, sealed together (AES-GCM envelope, context "saas-connector:<system_id>", rotated by
-- `ombud secrets reseal`). A recipient or service task carried out through such a connector is via 'saas'.
CREATE TABLE fulfilment_saas_connectors (
  system_id text PRIMARY KEY,
  connector text NOT NULL,
  definition jsonb NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  base_url text,
  secrets_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE fulfilment_recipient_tasks DROP CONSTRAINT fulfilment_recipient_tasks_via_check;
ALTER TABLE fulfilment_recipient_tasks ADD CONSTRAINT fulfilment_recipient_tasks_via_check
  CHECK (via IN ('http', 'manual', 'saas'));
