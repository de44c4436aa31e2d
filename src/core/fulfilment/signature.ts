/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com), used both ways by the HTTP connector:
 * Ombud signs the requests it sends a service, and the service signs the callback it answers with.
 *   webhook-id: a unique message id · webhook-timestamp: Unix seconds · webhook-signature: "v1,<base64>"
 * where <base64> = base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) and key is the base64 part of the
 * secret "whsec_<base64>". Several space-separated signatures may be sent (during rotation); one must match.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length < 16) throw new Error('A webhook secret holds at least 16 bytes (whsec_<base64>).');
  return key;
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function webhookHeaders(
  secret: string,
  id: string,
  body: string,
  now: Date = new Date(),
): Record<string, string> {
  const ts = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signWebhook(secret, id, ts, body),
  };
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'stale' | 'bad-signature' };

/** Check the three headers against the raw body: the signature matches and the timestamp is recent. */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  now: Date = new Date(),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): VerifyResult {
  const h = (n: string) => {
    const v = headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = h('webhook-id');
  const ts = h('webhook-timestamp');
  const sig = h('webhook-signature');
  if (!id || !ts || !sig || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'missing-headers' };
  if (Math.abs(now.getTime() / 1000 - Number(ts)) > toleranceSeconds) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(secret, id, Number(ts), body).slice(3), 'base64');
  for (const part of sig.split(' ')) {
    const [v, mac] = part.split(',');
    if (v !== 'v1' || !mac) continue;
    const got = Buffer.from(mac, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return { ok: true };
  }
  return { ok: false, reason: 'bad-signature' };
}
