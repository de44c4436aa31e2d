/**
 * The HTTP connector against a real HTTP service on loopback (a mail-provider stand-in that implements the
 * contract of docs/connectors/http.md): signed requests, answers, a bad signature refused, a slow service
 * timed out and retried, and the secret sealed at rest and covered by key rotation.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../src/core/fulfilment/signature.ts';
import { parseKeyring } from '../../src/core/secrets/envelope.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import {
  HttpServiceConnector,
  loadHttpConnector,
  type ServiceRequest,
  saveHttpConnector,
} from '../../src/services/fulfilment/connectors/http.ts';
import { resealAll } from '../../src/services/secrets/reseal.ts';
import { freshDb } from '../support/db.ts';
import { startMailProvider } from '../support/mail-provider.ts';

const key = () => randomBytes(32).toString('base64');
const RING1 = `k1:${key()}`;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const request = (action: ServiceRequest['action'], email: string): ServiceRequest => ({
  type: 'ombud.fulfilment.request',
  delivery_id: `dlv_${randomBytes(16).toString('hex')}`,
  request_id: `req-${action}`,
  system: 'messaging',
  action,
  identities: { email },
  callback_url: 'http://127.0.0.1:9/unused',
  answer_by: new Date(Date.now() + 3_600_000).toISOString(),
});

async function setup(contacts = [{ email: 'ada@example.test', name: 'Ada', lists: ['news'] }]) {
  const secret = newWebhookSecret();
  const provider = await startMailProvider(secret, contacts);
  const db = await freshDb('pglite');
  cleanup.push(() => db.close(), provider.close);
  return { secret, provider, db };
}

describe('Standard Webhooks signatures', () => {
  test('a signature verifies over id.timestamp.body; an altered body, another secret or an old timestamp do not', () => {
    const s = newWebhookSecret();
    const now = new Date('2026-11-25T10:00:00Z');
    const ts = Math.floor(now.getTime() / 1000);
    const h = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook(s, 'msg_1', ts, '{"a":1}'),
    };
    expect(verifyWebhook(s, h, '{"a":1}', now)).toEqual({ ok: true });
    expect(verifyWebhook(s, h, '{"a":2}', now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyWebhook(newWebhookSecret(), h, '{"a":1}', now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyWebhook(s, h, '{"a":1}', new Date(now.getTime() + 301_000))).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(
      verifyWebhook(s, { ...h, 'webhook-signature': `v1,AAAA ${h['webhook-signature']}` }, '{"a":1}', now),
    ).toEqual({ ok: true });
    expect(verifyWebhook(s, { 'webhook-id': 'x' }, '{}', now)).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
  });
});

describe('HTTP connector', () => {
  test('P17 P22 access and erasure in an external mail provider through the signed contract; the secret is sealed at rest', async () => {
    const { secret, provider, db } = await setup();
    const ring = parseKeyring(RING1);
    await saveHttpConnector(db, ring, SYSTEM_ACTOR, { systemId: 'messaging', url: provider.url, secret });
    const [row] = await db.query<{ secret_sealed: string }>(
      'SELECT secret_sealed FROM fulfilment_http_connectors',
    );
    expect(row!.secret_sealed.startsWith('osec1.k1.')).toBe(true);
    expect(row!.secret_sealed).not.toContain(secret.slice(6, 20));
    const cfg = (await loadHttpConnector(db, ring, 'messaging'))!;
    expect(cfg.secret).toBe(secret);
    const c = new HttpServiceConnector(cfg);

    const access = await c.send(request('access', 'ada@example.test'));
    expect(access).toEqual({
      kind: 'answered',
      answer: {
        status: 'done',
        records: 1,
        data: { contacts: [{ email: 'ada@example.test', name: 'Ada', lists: ['news'] }] },
      },
    });
    const erased = await c.send(request('erasure', 'ada@example.test'));
    expect(erased).toEqual({ kind: 'answered', answer: { status: 'done', records: 1 } });
    expect(provider.contacts.has('ada@example.test')).toBe(false);
    expect(await c.send(request('access', 'ada@example.test'))).toEqual({
      kind: 'answered',
      answer: { status: 'not_found', records: 0 },
    });
    expect(provider.received.every((r) => r.verified)).toBe(true);
  });

  test('P22 a request signed with the wrong secret is refused by the service and nothing changes there', async () => {
    const { provider } = await setup();
    const c = new HttpServiceConnector(
      {
        systemId: 'messaging',
        url: provider.url,
        secret: newWebhookSecret(),
        timeoutMs: 2000,
        callbackHours: 1,
      },
      { retries: 2, backoffMs: 10 },
    );
    await expect(c.send(request('erasure', 'ada@example.test'))).rejects.toThrow(
      'messaging: the service answered HTTP 401',
    );
    // 4xx is not retried: one attempt, refused, and the contact is still there.
    expect(provider.rejected).toBe(1);
    expect(provider.contacts.has('ada@example.test')).toBe(true);
  });

  test('a service slower than the time-out is retried with back-off, then fails saying why (no personal data)', async () => {
    const { secret, provider } = await setup();
    provider.responseDelayMs = 800;
    const c = new HttpServiceConnector(
      { systemId: 'messaging', url: provider.url, secret, timeoutMs: 200, callbackHours: 1 },
      { retries: 2, backoffMs: 20 },
    );
    const err = await c.send(request('erasure', 'ada@example.test')).catch((e: Error) => e);
    expect((err as Error).message).toBe('messaging: no answer within 200 ms');
    expect((err as Error).message).not.toContain('ada@');
    expect(provider.received.filter((r) => r.action === 'erasure')).toHaveLength(3);
  });

  test('an answer outside the contract is reported as such', async () => {
    const { secret } = await setup();
    const { createServer } = await import('node:http');
    const bad = createServer((_q, r) =>
      r.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"deleted"}'),
    );
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => bad.close(() => r())));
    const port = (bad.address() as { port: number }).port;
    const c = new HttpServiceConnector({
      systemId: 'helpdesk',
      url: `http://127.0.0.1:${port}/`,
      secret,
      timeoutMs: 1000,
      callbackHours: 1,
    });
    await expect(c.send(request('erasure', 'x@example.test'))).rejects.toThrow(
      'helpdesk: the answer does not follow the contract (status)',
    );
  });

  test('ombud secrets reseal moves the connector secret to the newest key; it still opens', async () => {
    const { secret, provider, db } = await setup();
    await saveHttpConnector(db, parseKeyring(RING1), SYSTEM_ACTOR, {
      systemId: 'messaging',
      url: provider.url,
      secret,
    });
    const ring2 = parseKeyring(`${RING1},k2:${key()}`);
    const r = await resealAll(db, ring2, SYSTEM_ACTOR);
    expect(r.resealed).toBeGreaterThanOrEqual(1);
    const [row] = await db.query<{ secret_sealed: string }>(
      'SELECT secret_sealed FROM fulfilment_http_connectors',
    );
    expect(row!.secret_sealed.startsWith('osec1.k2.')).toBe(true);
    expect((await loadHttpConnector(db, ring2, 'messaging'))!.secret).toBe(secret);
  });

  test('a connector with a non-http URL or a malformed secret is refused, naming the field', async () => {
    const { db } = await setup();
    const err = await saveHttpConnector(db, parseKeyring(RING1), SYSTEM_ACTOR, {
      systemId: 'messaging',
      url: 'ftp://example.test/',
      secret: 'nope',
    }).catch((e) => e);
    expect(err.code).toBe('invalid-http-connector');
    expect(err.issues.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(['secret', 'url']);
  });
});
