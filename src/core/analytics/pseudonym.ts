/**
 * Keyed pseudonyms for analytics rows (P23). Each export series has its own key, derived (HKDF-SHA256) from
 * a key of Ombud's data keyring and the series' random id: the same data subject has the same pseudonym in
 * every export of one series, a different one in another series, and without the keyring (which analysts
 * never hold) the pseudonym cannot be turned back into the subject, nor matched across series. Pure.
 */
import { createHmac, hkdfSync } from 'node:crypto';

/** The series key: from a keyring key (32 bytes) and the series id. */
export function seriesKey(keyringKey: Buffer, seriesId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', keyringKey, 'ombud-analytics-pseudonym', `series:${seriesId}`, 32));
}

/** The pseudonym of a subject key in a series: HMAC-SHA256, the first 16 bytes as hex (32 characters). */
export function pseudonym(key: Buffer, subjectKey: string): string {
  return createHmac('sha256', key).update(subjectKey).digest('hex').slice(0, 32);
}
