/**
 * The demo's SaaS connectors: the mail provider (`messaging`) through connectors/mailchimp.yaml and the CRM
 * (`crm`) through connectors/hubspot.yaml, pointed at the demo's vendors (vendors.ts). Stored only when
 * they changed, so a restart on the same port writes no audit entry.
 */
import { fileURLToPath } from 'node:url';
import type { Keyring } from '../../core/secrets/envelope.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../../services/audit/auditLog.ts';
import { loadConnectorFile } from '../../services/connectors/load.ts';
import type { SaasConnectorInput } from '../../services/fulfilment/connectors/saas.ts';
import { applySaasConnectors } from '../../services/systems/connectors.ts';
import { DEMO_HUBSPOT_TOKEN, DEMO_MAILCHIMP_KEY } from './vendors.ts';

export const CONNECTORS_DIR = fileURLToPath(new URL('../../../connectors/', import.meta.url));

export async function connectDemoSaas(
  db: Db,
  ring: Keyring,
  actor: Actor,
  vendorsUrl: string,
): Promise<string[]> {
  const want: SaasConnectorInput[] = [
    {
      systemId: 'messaging',
      connector: await loadConnectorFile(`${CONNECTORS_DIR}mailchimp.yaml`),
      settings: { dc: 'us21' },
      secrets: { api_key: DEMO_MAILCHIMP_KEY },
      baseUrl: `${vendorsUrl}/3.0`,
    },
    {
      systemId: 'crm',
      connector: await loadConnectorFile(`${CONNECTORS_DIR}hubspot.yaml`),
      settings: {},
      secrets: { access_token: DEMO_HUBSPOT_TOKEN },
      baseUrl: vendorsUrl,
    },
  ];
  return applySaasConnectors(db, ring, actor, want);
}
