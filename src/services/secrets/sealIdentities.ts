/**
 * Identities written before they were sealed (migration 0571): sealed now, on open, and their plain column
 * emptied; a submission's address hash becomes the keyed one. In batches, each in a transaction; rows
 * already sealed are not touched, so two processes opening at once do the work once between them.
 */
import { sealContext, submissionEmailHash } from '../../core/secrets/dataKeys.ts';
import { seal } from '../../core/secrets/envelope.ts';
import type { Db } from '../../storage/db.ts';
import { consentKeys, identityHash } from '../consent/keys.ts';

const BATCH = 500;

export async function sealPlainIdentities(
  db: Db,
  config: { secret: string; secretKeys?: string },
): Promise<{ identities: number; submissions: number }> {
  const keys = await consentKeys(db, config.secret, config.secretKeys);
  let identities = 0;
  for (;;) {
    const rows = await db.query<{
      subject_id: string;
      org_id: string;
      kind: string;
      value: string;
      value_hash: string;
    }>(
      `SELECT subject_id, org_id, kind, value, value_hash FROM consent_identities WHERE value IS NOT NULL LIMIT ${BATCH}`,
    );
    if (!rows.length) break;
    await db.transaction(async (tx) => {
      for (const r of rows) {
        // The stored hash is the row's key; it was made with the same consent key.
        const hash = r.value_hash || identityHash(keys, r.org_id, r.kind, r.value);
        await tx.query(
          `UPDATE consent_identities SET value_sealed = $4, value = NULL
            WHERE org_id = $1 AND kind = $2 AND value_hash = $3 AND value IS NOT NULL`,
          [
            r.org_id,
            r.kind,
            hash,
            seal(keys.ring, r.value, sealContext.consentIdentity(r.org_id, r.kind, hash)),
          ],
        );
      }
    });
    identities += rows.length;
  }
  const secret = config.secret;
  const ring = keys.ring;
  let submissions = 0;
  for (;;) {
    const rows = await db.query<{ id: string; email: string; name: string | null }>(
      `SELECT id, email, name FROM dsr_submissions WHERE email IS NOT NULL LIMIT ${BATCH}`,
    );
    if (!rows.length) break;
    await db.transaction(async (tx) => {
      for (const r of rows)
        await tx.query(
          `UPDATE dsr_submissions SET email_sealed = $2, name_sealed = $3, email_hash = $4, email = NULL, name = NULL
            WHERE id = $1 AND email IS NOT NULL`,
          [
            r.id,
            seal(ring, r.email, sealContext.submission(r.id, 'email')),
            r.name ? seal(ring, r.name, sealContext.submission(r.id, 'name')) : null,
            submissionEmailHash(secret, r.email),
          ],
        );
    });
    submissions += rows.length;
  }
  return { identities, submissions };
}
