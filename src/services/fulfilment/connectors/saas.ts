/**
 * The SaaS connectors of the register's systems, stored for the fulfilment workers: the connector
 * (validated again on save), its settings and base URL, and its secrets sealed with the keyring (context
 * "saas-connector:<system>", in SEALED_COLUMNS so `ombud secrets reseal` rotates them).
 */
import { z } from 'zod';
import { checkConnector, connectorSchema, type SaasConnector } from '../../../core/connectors/saas.ts';
import { validationError } from '../../../core/errors.ts';
import { type Keyring, open, seal } from '../../../core/secrets/envelope.ts';
import type { Db } from '../../../storage/db.ts';
import { type Actor, recordAudit } from '../../audit/auditLog.ts';
import type { SaasRuntime } from '../../connectors/saas.ts';
import { ServiceError } from './http.ts';

export const saasContext = (systemId: string) => `saas-connector:${systemId}`;

export type SaasConnectorInput = {
  systemId: string;
  connector: SaasConnector;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  baseUrl?: string;
};

const systemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a register system id');

/** What is missing or unknown among the settings and secrets the connector declares. */
export function saasInputProblems(c: SaasConnectorInput): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  if (!systemId.safeParse(c.systemId).success)
    out.push({ path: ['systemId'], message: 'a register system id' });
  for (const [kind, declared, given] of [
    ['settings', c.connector.settings, c.settings],
    ['secrets', c.connector.secrets, c.secrets],
  ] as const) {
    for (const k of declared)
      if (!given[k]) out.push({ path: [kind, k], message: `the connector needs ${kind}.${k}` });
    for (const k of Object.keys(given))
      if (!declared.includes(k))
        out.push({ path: [kind, k], message: `the connector declares no ${kind}.${k}` });
  }
  if (c.baseUrl !== undefined && !/^https?:\/\//.test(c.baseUrl))
    out.push({ path: ['baseUrl'], message: 'use an http:// or https:// URL' });
  return out;
}

/** Store (or replace) a system's SaaS connector; the secrets are sealed. */
export async function saveSaasConnector(
  db: Db,
  ring: Keyring,
  actor: Actor,
  c: SaasConnectorInput,
): Promise<void> {
  const checked = connectorSchema.safeParse(c.connector);
  const findings = checked.success
    ? checkConnector(checked.data, c.connector.connector, () => ({ line: 1, column: 1 })).filter(
        (f) => f.severity === 'error',
      )
    : [];
  const problems = [
    ...(checked.success
      ? []
      : checked.error.issues.map((i) => ({
          path: ['connector', ...i.path.map(String)],
          message: i.message,
        }))),
    ...findings.map((f) => ({ path: ['connector'], message: f.message })),
    ...saasInputProblems(c),
  ];
  if (problems.length)
    throw validationError(
      'invalid-saas-connector',
      'The SaaS connector is not valid.',
      problems,
      'Check the connector with `ombud connector validate FILE` and give every setting and secret it declares.',
    );
  await db.query(
    `INSERT INTO fulfilment_saas_connectors (system_id, connector, definition, settings, base_url, secrets_sealed)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (system_id) DO UPDATE SET connector = EXCLUDED.connector, definition = EXCLUDED.definition,
       settings = EXCLUDED.settings, base_url = EXCLUDED.base_url, secrets_sealed = EXCLUDED.secrets_sealed,
       updated_at = now()`,
    [
      c.systemId,
      c.connector.connector,
      JSON.stringify(c.connector),
      JSON.stringify(c.settings),
      c.baseUrl ?? null,
      seal(ring, JSON.stringify(c.secrets), saasContext(c.systemId)),
    ],
  );
  await recordAudit(db, {
    actor,
    action: 'fulfilment.connector.save',
    target: `system:${c.systemId}`,
    details: {
      kind: 'saas',
      connector: c.connector.connector,
      host: c.baseUrl ? new URL(c.baseUrl).host : null,
      secrets: Object.keys(c.secrets).sort(),
    },
  });
}

type Row = {
  definition: SaasConnector | string;
  settings: Record<string, string> | string;
  base_url: string | null;
  secrets_sealed: string;
};

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export async function loadSaasConnector(
  db: Db,
  ring: Keyring | undefined,
  systemId: string,
): Promise<SaasRuntime | undefined> {
  const [r] = await db.query<Row>(
    'SELECT definition, settings, base_url, secrets_sealed FROM fulfilment_saas_connectors WHERE system_id = $1',
    [systemId],
  );
  if (!r) return undefined;
  if (!ring)
    throw new ServiceError(`${systemId}: a SaaS connector is configured but no OMBUD_SECRET_KEYS`, false);
  return {
    systemId,
    connector: connectorSchema.parse(json(r.definition)),
    settings: json(r.settings),
    secrets: JSON.parse(open(ring, r.secrets_sealed, saasContext(systemId))) as Record<string, string>,
    ...(r.base_url ? { baseUrl: r.base_url } : {}),
  };
}

/** The systems with a SaaS connector. */
export async function saasSystems(db: Db): Promise<string[]> {
  const rows = await db.query<{ system_id: string }>(
    'SELECT system_id FROM fulfilment_saas_connectors ORDER BY system_id',
  );
  return rows.map((r) => r.system_id);
}
