/**
 * What every part of a run uses to keep personal data out of its records: the subject named by a hash,
 * and error text with the identities taken out.
 */
import { createHash } from 'node:crypto';
import type { Identities } from '../../core/fulfilment/dataset.ts';

/** A hash to name the subject in logs and as the pseudonym key (never the identity itself). */
export const subjectHash = (ids: Identities) =>
  createHash('sha256')
    .update(JSON.stringify([ids.customer_number ?? '', ids.email ?? '', ids.phone_number ?? '']))
    .digest('hex');

/** Error text without personal data: identity values and quoted literals are removed. */
export function safeError(err: unknown, ids: Identities): string {
  const e = err as { code?: string; message?: string };
  let msg = String(e.message ?? err).slice(0, 300);
  for (const v of Object.values(ids)) if (v) msg = msg.split(v).join('[redacted]');
  msg = msg.replace(/'[^']*'/g, "'…'").replace(/\([^)]*\)=\([^)]*\)/g, '(…)');
  return e.code ? `${e.code}: ${msg}` : msg;
}
