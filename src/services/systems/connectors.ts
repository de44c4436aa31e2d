/**
 * The HTTP connectors a systems file names, stored for the fulfilment and retention workers (sealed with
 * OMBUD_SECRET_KEYS, as the console stores them): only those that changed, so a restart writes no audit
 * entry for a connector it already has.
 */
import { precondition } from '../../core/errors.ts';
import type { Keyring } from '../../core/secrets/envelope.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import { httpConnectorInput, loadHttpConnector, saveHttpConnector } from '../fulfilment/connectors/http.ts';
import { canonicalJson } from '../../core/canonical.ts';
import {
  loadSaasConnector,
  type SaasConnectorInput,
  saveSaasConnector,
} from '../fulfilment/connectors/saas.ts';
import type { ConfiguredConnector } from './config.ts';

export async function applyConfiguredConnectors(
  db: Db,
  ring: Keyring | undefined,
  actor: Actor,
  connectors: ConfiguredConnector[],
): Promise<{ saved: string[]; unchanged: string[] }> {
  const saved: string[] = [];
  const unchanged: string[] = [];
  if (!connectors.length) return { saved, unchanged };
  if (!ring)
    throw precondition(
      'secret-keys-missing',
      'The HTTP connectors of the systems file need OMBUD_SECRET_KEYS (their secrets are stored sealed).',
      'Set OMBUD_SECRET_KEYS ("id:base64key", 32 random bytes) and start again.',
    );
  for (const c of connectors) {
    const want = httpConnectorInput.parse({
      systemId: c.systemId,
      url: c.url,
      secret: c.secret,
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
      ...(c.callbackHours !== undefined ? { callbackHours: c.callbackHours } : {}),
      ...(c.resends !== undefined ? { resends: c.resends } : {}),
    });
    const have = await loadHttpConnector(db, ring, c.systemId).catch(() => undefined);
    if (
      have &&
      have.url === want.url &&
      have.secret === want.secret &&
      have.timeoutMs === want.timeoutMs &&
      have.callbackHours === want.callbackHours &&
      have.resends === want.resends
    ) {
      unchanged.push(c.systemId);
      continue;
    }
    await saveHttpConnector(db, ring, actor, want);
    saved.push(c.systemId);
  }
  return { saved, unchanged };
}

/** The SaaS connectors of a systems file (or the demo's), stored sealed: only those that changed. */
export async function applySaasConnectors(
  db: Db,
  ring: Keyring | undefined,
  actor: Actor,
  list: SaasConnectorInput[],
): Promise<string[]> {
  if (!list.length) return [];
  if (!ring)
    throw precondition(
      'secret-keys-missing',
      'The SaaS connectors of the systems file need OMBUD_SECRET_KEYS (their secrets are stored sealed).',
      'Set OMBUD_SECRET_KEYS ("id:base64key", 32 random bytes) and start again.',
    );
  const saved: string[] = [];
  for (const w of list) {
    const have = await loadSaasConnector(db, ring, w.systemId).catch(() => undefined);
    if (
      have &&
      have.baseUrl === w.baseUrl &&
      canonicalJson(have.connector) === canonicalJson(w.connector) &&
      canonicalJson(have.secrets) === canonicalJson(w.secrets) &&
      canonicalJson(have.settings) === canonicalJson(w.settings)
    )
      continue;
    await saveSaasConnector(db, ring, actor, w);
    saved.push(w.systemId);
  }
  return saved;
}
