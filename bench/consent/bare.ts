/**
 * The honest baseline for the HTTP lookup (issue #20): a bare Fastify route, in the bench's process like
 * Ombud's server, running the same named prepared statement (CONTACT_CHECK_SQL) through the same Db and pool
 * with the same keyed hash, and deciding from its rows: granted on e-mail for the purpose, not restricted, no
 * objection to direct marketing (or to the purpose) since the grant. No auth, no schema validation, no
 * register, no security headers, no logger.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { type ConsentKeys, identityHash } from '../../src/services/consent/keys.ts';
import { CONTACT_CHECK_SQL } from '../../src/services/consent/checkContact.ts';
import type { Db } from '../../src/storage/db.ts';

type Row = {
  id: string;
  restricted: boolean;
  purpose_id: string | null;
  channel: string | null;
  status: string | null;
  since: number | null;
};

export async function startBareFastify(db: Db, keys: ConsentKeys) {
  const server = Fastify({ logger: false });
  server.post('/api/v1/organizations/:orgId/contact-checks', async (req) => {
    const { orgId } = req.params as { orgId: string };
    const body = req.body as { identity: { email: string }; purpose: string };
    const rows = await db.query<Row>(
      CONTACT_CHECK_SQL,
      [orgId, identityHash(keys, orgId, 'email', body.identity.email), body.purpose, 'direct-marketing'],
      { name: 'bench.bare-contact-check' },
    );
    const grant = rows.find(
      (r) => r.purpose_id === body.purpose && r.channel === 'email' && r.status === 'granted',
    );
    const objected = rows.some(
      (r) =>
        r.status === 'objected' &&
        (r.channel === '*' || r.channel === 'email') &&
        grant !== undefined &&
        (r.since ?? 0) >= (grant.since ?? 0),
    );
    return { allowed: grant !== undefined && rows[0]?.restricted === false && !objected };
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, base: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
}
