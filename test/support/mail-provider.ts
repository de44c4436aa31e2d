/**
 * A stand-in for an external mail provider that implements Ombud's HTTP connector contract
 * (docs/connectors/http.md) on loopback, written as a service would write it: plain node:http and
 * node:crypto, not Ombud's own helpers. It holds contacts, verifies Ombud's signature (401 otherwise), and
 * answers access, erasure, rectification and restriction at once (200) or later through the signed
 * callback (202), optionally slowly — or accepts (202) and never answers ('silent').
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Contact = { email: string; name: string; lists: string[]; restricted?: boolean };

export type MailProvider = {
  url: string;
  contacts: Map<string, Contact>;
  /** Requests received, signature verified or not. */
  received: { action: string; requestId: string; verified: boolean }[];
  /** The webhook-id of each request received, in order (the same on every resend of one delivery). */
  webhookIds: string[];
  /** Requests being answered right now, and the most at once. */
  inFlight: number;
  peakInFlight: number;
  rejected: number;
  /**
   * 'sync' answers in the response; 'async' answers 202 and calls back after callbackDelayMs; 'silent'
   * answers 202 and never calls back.
   */
  mode: 'sync' | 'async' | 'silent';
  callbackDelayMs: number;
  /** Delay before the HTTP response itself (to test Ombud's time-out). */
  responseDelayMs: number;
  /** Sign callbacks with this secret instead (to test Ombud rejecting a bad signature). */
  callbackSecretOverride?: string;
  callbacks: { status: number; body: string }[];
  /** Resolves when every scheduled callback has been sent. */
  idle: () => Promise<void>;
  close: () => Promise<void>;
};

const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const sign = (secret: string, id: string, ts: string, body: string) =>
  createHmac('sha256', keyOf(secret)).update(`${id}.${ts}.${body}`).digest('base64');

export async function startMailProvider(secret: string, contacts: Contact[] = []): Promise<MailProvider> {
  const pending = new Set<Promise<void>>();
  const p: MailProvider = {
    url: '',
    contacts: new Map(contacts.map((c) => [c.email, c])),
    received: [],
    webhookIds: [],
    inFlight: 0,
    peakInFlight: 0,
    rejected: 0,
    mode: 'sync',
    callbackDelayMs: 0,
    responseDelayMs: 0,
    callbacks: [],
    idle: async () => {
      while (pending.size) await Promise.all([...pending]);
    },
    close: async () => {
      await p.idle();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  function carryOut(req: {
    action: string;
    identities: { email?: string };
    corrections?: Record<string, string>;
  }): { status: 'done' | 'not_found'; records: number; data?: Record<string, unknown[]> } {
    const email = req.identities.email?.toLowerCase();
    const c = email ? p.contacts.get(email) : undefined;
    if (!c) return { status: 'not_found', records: 0 };
    if (req.action === 'access') return { status: 'done', records: 1, data: { contacts: [{ ...c }] } };
    if (req.action === 'erasure') p.contacts.delete(c.email);
    if (req.action === 'restriction') c.restricted = true;
    if (req.action === 'rectification') {
      const next = req.corrections?.['user.contact.email']?.toLowerCase();
      if (next) {
        p.contacts.delete(c.email);
        c.email = next;
        p.contacts.set(next, c);
      }
      const name = req.corrections?.['user.name'];
      if (name) c.name = name;
    }
    return { status: 'done', records: 1 };
  }

  async function callBack(url: string, answer: object) {
    const body = JSON.stringify(answer);
    const id = `msg_${randomUUID()}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': `v1,${sign(p.callbackSecretOverride ?? secret, id, ts, body)}`,
      },
      body,
    });
    p.callbacks.push({ status: res.status, body: await res.text() });
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const ts = String(req.headers['webhook-timestamp'] ?? '');
      const sigs = String(req.headers['webhook-signature'] ?? '').split(' ');
      const expected = Buffer.from(sign(secret, id, ts, body), 'base64');
      const fresh = Math.abs(Date.now() / 1000 - Number(ts)) <= 300;
      const verified =
        fresh &&
        sigs.some((s) => {
          const got = Buffer.from(s.replace(/^v1,/, ''), 'base64');
          return s.startsWith('v1,') && got.length === expected.length && timingSafeEqual(got, expected);
        });
      let parsed: {
        action: string;
        request_id: string;
        identities: { email?: string };
        corrections?: Record<string, string>;
        callback_url: string;
      };
      try {
        parsed = JSON.parse(body);
      } catch {
        res.writeHead(400).end();
        return;
      }
      p.received.push({ action: parsed.action, requestId: parsed.request_id, verified });
      p.webhookIds.push(id);
      p.inFlight++;
      p.peakInFlight = Math.max(p.peakInFlight, p.inFlight);
      res.once('close', () => p.inFlight--);
      if (p.responseDelayMs) await new Promise((r) => setTimeout(r, p.responseDelayMs));
      if (res.destroyed || res.writableEnded) return;
      if (!verified) {
        p.rejected++;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
        return;
      }
      if (p.mode === 'sync') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(carryOut(parsed)));
        return;
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
      if (p.mode === 'silent') return;
      const job = new Promise<void>((r) => setTimeout(r, p.callbackDelayMs))
        .then(() => callBack(parsed.callback_url, carryOut(parsed)))
        .catch((e) => {
          p.callbacks.push({ status: 0, body: String(e) });
        });
      pending.add(job);
      void job.finally(() => pending.delete(job));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  p.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ombud`;
  return p;
}
