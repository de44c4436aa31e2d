/**
 * Key rotation for secrets at rest: reseal every stored secret under the newest key of the
 * keyring, so an old key can then be dropped from OMBUD_SECRET_KEYS. Capabilities that store
 * sealed secrets add their column to SEALED_COLUMNS (with the context they seal under).
 */
import { sealContext } from '../../core/secrets/dataKeys.ts';
import { keyIdOf, type Keyring, reseal } from '../../core/secrets/envelope.ts';
import type { Db } from '../../storage/db.ts';
import { connectorContext } from '../fulfilment/connectors/http.ts';
import { saasContext } from '../fulfilment/connectors/saas.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';

export type SealedColumn = { table: string; column: string; id: string; context: (id: string) => string };

export const SEALED_COLUMNS: SealedColumn[] = [
  { table: 'users', column: 'totp_secret', id: 'id', context: (id) => `user:${id}:totp` },
  { table: 'users', column: 'totp_pending', id: 'id', context: (id) => `user:${id}:totp` },
  {
    table: 'fulfilment_http_connectors',
    column: 'secret_sealed',
    id: 'system_id',
    context: connectorContext,
  },
  { table: 'fulfilment_saas_connectors', column: 'secrets_sealed', id: 'system_id', context: saasContext },
  // Personal data kept readable (core/secrets/dataKeys.ts): a requester's address and name, consent identities.
  {
    table: 'dsr_submissions',
    column: 'email_sealed',
    id: 'id',
    context: (id) => sealContext.submission(id, 'email'),
  },
  {
    table: 'dsr_submissions',
    column: 'name_sealed',
    id: 'id',
    context: (id) => sealContext.submission(id, 'name'),
  },
  {
    table: 'consent_identities',
    column: 'value_sealed',
    id: "(org_id || ':' || kind || ':' || value_hash)",
    context: (id) => `consent-identity:${id}`,
  },
];

export async function resealAll(
  db: Db,
  ring: Keyring,
  actor: Actor,
): Promise<{ resealed: number; current: string }> {
  let resealed = 0;
  for (const c of SEALED_COLUMNS) {
    const rows = await db.query<{ id: string; v: string }>(
      `SELECT ${c.id}::text AS id, ${c.column} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL`,
    );
    for (const r of rows) {
      if (keyIdOf(r.v) === ring.current) continue;
      const next = reseal(ring, r.v, c.context(r.id));
      await db.query(`UPDATE ${c.table} SET ${c.column} = $2 WHERE ${c.id}::text = $1 AND ${c.column} = $3`, [
        r.id,
        next,
        r.v,
      ]);
      resealed++;
    }
  }
  await recordAudit(db, { actor, action: 'secrets.reseal', details: { resealed, key: ring.current } });
  return { resealed, current: ring.current };
}
