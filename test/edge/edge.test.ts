/**
 * The public edge (issue #20): the banner served compressed with an ETag from a content-hashed, immutable
 * URL behind a short-lived loader; limits that key the proof POST per consent id (the address only as a
 * flood guard) and leave the script unlimited; the group-committed proof write (every 201 is a stored row,
 * each answer's number the row of that proof). Real PostgreSQL for the writes.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { negotiateEncoding } from '../../src/http/cacheable.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const proof = (consentId: string, extra: Record<string, unknown> = {}) => ({
  consentId,
  org: 'nestit-group',
  action: 'custom',
  categories: { necessary: true, analytics: consentId.endsWith('1'), marketing: false },
  inventoryVersion: 'v-edge',
  gpc: false,
  lang: 'sv',
  url: 'https://www.nestit.example/',
  ...extra,
});

describe('the banner: compressed, ETag, immutable versioned URL behind a short-lived loader', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ kind: 'pglite' });
    t.configure({ publicUrl: 'https://privacy.nestit.example' });
  }, 240_000);
  afterAll(async () => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.server.inject({ method: 'GET', url, headers });

  test('Accept-Encoding: br gets brotli with an ETag; the loader points to an immutable content-hashed URL; If-None-Match is a 304', async () => {
    const loader = await get('/sdk/loader.js?org=nestit-group&lang=sv', { 'accept-encoding': 'br' });
    expect(loader.statusCode).toBe(200);
    expect(loader.headers['content-encoding']).toBe('br');
    expect(loader.headers['cache-control']).toBe('public, max-age=300');
    expect(loader.headers.vary).toBe('Accept-Encoding');
    expect(loader.headers.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const loaderJs = brotliDecompressSync(loader.rawPayload).toString('utf8');
    expect(loaderJs.length).toBeLessThan(400);
    const src =
      /"(https:\/\/privacy\.nestit\.example(\/sdk\/consent\/nestit-group\/sv\/([A-Za-z0-9_-]{22})\.js))"/.exec(
        loaderJs,
      );
    expect(src).not.toBeNull();
    const [, , path, hash] = src!;

    const script = await get(path!, { 'accept-encoding': 'gzip, deflate, br' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-encoding']).toBe('br');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers.etag).toBe(`"${hash}"`);
    const js = brotliDecompressSync(script.rawPayload);
    expect(js.toString('utf8').startsWith('window.OmbudConsentConfig={')).toBe(true);
    expect(js.toString('utf8')).toContain('"lang":"sv"');
    // The name is the content's SHA-256 (base64url, 22 characters): a new register makes a new URL.
    expect(createHash('sha256').update(js).digest('base64url').slice(0, 22)).toBe(hash);
    // Compressed: brotli well under half the bytes.
    expect(script.rawPayload.length).toBeLessThan(js.length / 2);

    const again = await get(path!, { 'accept-encoding': 'br', 'if-none-match': `"${hash}"` });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect(again.headers.etag).toBe(`"${hash}"`);
    const loaderAgain = await get('/sdk/loader.js?org=nestit-group&lang=sv', {
      'if-none-match': String(loader.headers.etag),
    });
    expect(loaderAgain.statusCode).toBe(304);

    // gzip for a client without brotli, the plain bytes for one without either: the same script.
    const gz = await get(path!, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(js)).toBe(true);
    const plain = await get(path!);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(js)).toBe(true);
    // The stable URL serves the same script (same ETag), cached 5 minutes.
    const stable = await get('/sdk/consent.js?org=nestit-group&lang=sv', { 'accept-encoding': 'br' });
    expect(stable.headers.etag).toBe(`"${hash}"`);
    expect(stable.headers['cache-control']).toBe('public, max-age=300');
    expect(brotliDecompressSync(stable.rawPayload).equals(js)).toBe(true);
  });

  test('a change (here the public URL the banner posts to) makes a new versioned URL; the old one is still served as it was, an unknown one redirects to the current', async () => {
    const first = brotliDecompressSync(
      (await get('/sdk/loader.js?org=nestit-group&lang=sv', { 'accept-encoding': 'br' })).rawPayload,
    ).toString();
    const oldPath = /"https:\/\/[^"]+?(\/sdk\/consent\/[^"]+)"/.exec(first)![1]!;
    t.configure({ publicUrl: 'https://consent.nestit.example' });
    try {
      const second = (await get('/sdk/loader.js?org=nestit-group&lang=sv')).body;
      expect(second).toContain('"https://consent.nestit.example/sdk/consent/nestit-group/sv/');
      const newPath = /"https:\/\/[^"]+?(\/sdk\/consent\/[^"]+)"/.exec(second)![1]!;
      expect(newPath).not.toBe(oldPath);
      const old = await get(oldPath);
      expect(old.statusCode).toBe(200);
      expect(old.body).toContain('https://privacy.nestit.example');
      const unknown = await get('/sdk/consent/nestit-group/sv/AAAAAAAAAAAAAAAAAAAAAA.js');
      expect(unknown.statusCode).toBe(302);
      expect(unknown.headers.location).toBe(newPath);
      expect(unknown.headers['cache-control']).toBe('public, max-age=60');
    } finally {
      t.configure({ publicUrl: 'https://privacy.nestit.example' });
    }
  });

  test('an unknown company is a 404, a bad hash a 400', async () => {
    expect((await get('/sdk/loader.js?org=no-such-company')).statusCode).toBe(404);
    expect((await get('/sdk/consent/nestit-group/sv/short.js')).statusCode).toBe(400);
  });

  test.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['identity', undefined],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['', undefined],
  ])('Accept-Encoding %j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('limits that fit real traffic', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ kind: 'pglite' });
    t.configure({ publicRateLimit: 3, edgeLimits: { proofPerConsentId: 2, proofPerAddress: 6 } });
  }, 240_000);
  afterAll(async () => t?.close());

  const post = (consentId: string, remoteAddress: string) =>
    t.server.inject({
      method: 'POST',
      url: '/api/v1/cookie-consents',
      remoteAddress,
      payload: proof(consentId),
    });

  test('the defaults: 30 proofs per consent id and 120,000 per client address a minute (a 10,000-visitor-a-minute site behind one CDN address sends at most 20,000: a preflight and a proof each)', () => {
    expect(loadConfig({}).edgeLimits).toEqual({ proofPerConsentId: 30, proofPerAddress: 120_000 });
    expect(loadConfig({ OMBUD_PROOF_RATE_LIMIT: '5', OMBUD_PROOF_FLOOD_LIMIT: '900' }).edgeLimits).toEqual({
      proofPerConsentId: 5,
      proofPerAddress: 900,
    });
    expect(() => loadConfig({ OMBUD_PROOF_RATE_LIMIT: '0' })).toThrow(/OMBUD_PROOF_RATE_LIMIT/);
  });

  test('the script, the loader and the versioned script are not limited per address; other public routes still are', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await t.server.inject({ url: '/sdk/consent.js?org=nestit-group', remoteAddress: '10.1.0.1' });
      expect(r.statusCode).toBe(200);
      const l = await t.server.inject({ url: '/sdk/loader.js?org=nestit-group', remoteAddress: '10.1.0.1' });
      expect(l.statusCode).toBe(200);
    }
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await t.server.inject({ url: '/.well-known/gpc.json', remoteAddress: '10.1.0.1' })).statusCode,
      );
    expect(codes).toEqual([200, 200, 200, 429]);
  });

  test('a proof is limited per consent id: the third of one id in a minute is a 429 with Retry-After; another id from the same address is stored', async () => {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await post('same-visitor-1', '10.2.0.1')).statusCode);
    expect(codes).toEqual([201, 201, 429]);
    const refused = await post('same-visitor-1', '10.2.0.1');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ code: 'too-many-requests' });
    expect((await post('other-visitor-1', '10.2.0.1')).statusCode).toBe(201);
    const rows = await t.app.db.query<{ consent_id: string; n: string }>(
      `SELECT consent_id, count(*)::text AS n FROM cookie_consents
        WHERE consent_id IN ('same-visitor-1', 'other-visitor-1') GROUP BY consent_id ORDER BY consent_id`,
    );
    expect(rows).toEqual([
      { consent_id: 'other-visitor-1', n: '1' },
      { consent_id: 'same-visitor-1', n: '2' },
    ]);
  });

  test('per client address only as a coarse flood guard: the seventh proof of different ids from one address is a 429; another address is not affected', async () => {
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await post(`flood-visitor-${i}`, '10.3.0.1')).statusCode);
    expect(codes).toEqual([201, 201, 201, 201, 201, 201, 429]);
    expect((await post('flood-visitor-other', '10.3.0.2')).statusCode).toBe(201);
  });
});

describe('OMBUD_TRUST_PROXY=1 behind a CDN: the flood guard counts the visitor’s address from X-Forwarded-For', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ kind: 'pglite', config: { trustProxy: true } });
    t.configure({ edgeLimits: { proofPerConsentId: 30, proofPerAddress: 2 } });
  }, 240_000);
  afterAll(async () => t?.close());

  test('visitors behind one CDN address each have their own count', async () => {
    const send = (id: string, visitor: string) =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/cookie-consents',
        remoteAddress: '192.0.2.10',
        headers: { 'x-forwarded-for': visitor },
        payload: proof(id),
      });
    const codes = [];
    for (let v = 0; v < 5; v++)
      for (let i = 0; i < 2; i++)
        codes.push((await send(`cdn-visitor-${v}-${i}`, `198.51.100.${v}`)).statusCode);
    expect(codes).toEqual(Array(10).fill(201));
    expect((await send('cdn-visitor-0-9', '198.51.100.0')).statusCode).toBe(429);
  });
});

describe('the proof write: group commit on PostgreSQL, every 201 a stored row', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ kind: 'postgres' });
    t.configure({ edgeLimits: { proofPerConsentId: 30, proofPerAddress: 1_000_000 } });
  }, 240_000);
  afterAll(async () => t?.close());

  test('500 proofs at once: 500 answers of 201, each number the row of that proof, no row more', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => `batch-${String(i).padStart(4, '0')}-${i % 2}`);
    const answers = await Promise.all(
      ids.map((id, i) =>
        t.server.inject({
          method: 'POST',
          url: '/api/v1/cookie-consents',
          payload: proof(id, { url: `https://www.nestit.example/p/${i}` }),
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(500).fill(201));
    const seqs = answers.map((a) => (a.json() as { stored: number }).stored);
    expect(new Set(seqs).size).toBe(500);
    const rows = await t.app.db.query<{ seq: string; consent_id: string; url: string; categories: unknown }>(
      `SELECT seq::text, consent_id, url, categories FROM cookie_consents WHERE consent_id LIKE 'batch-%'`,
    );
    expect(rows).toHaveLength(500);
    const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
    ids.forEach((id, i) => {
      const row = bySeq.get(seqs[i]!);
      expect(row?.consent_id).toBe(id);
      expect(row?.url).toBe(`https://www.nestit.example/p/${i}`);
      expect(row?.categories).toEqual({ necessary: true, analytics: id.endsWith('1'), marketing: false });
    });
  });

  test('a proof sent again with the same proofId (the banner retrying after no answer) is stored once and answered with the same number', async () => {
    const send = (consentId: string, proofId: string) =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/cookie-consents',
        payload: proof(consentId, { proofId }),
      });
    const first = await send('retry-visitor-1', 'proof-aaaa-0001');
    // Sent again while and after the first is stored, and at the same time as each other.
    const again = await Promise.all([
      send('retry-visitor-1', 'proof-aaaa-0001'),
      send('retry-visitor-1', 'proof-aaaa-0001'),
    ]);
    // A new choice of the same visitor (a new proofId) is a new row; so is a proof without an id.
    const next = await send('retry-visitor-1', 'proof-aaaa-0002');
    const plain = await t.server.inject({
      method: 'POST',
      url: '/api/v1/cookie-consents',
      payload: proof('retry-visitor-1'),
    });
    const numbers = [first, ...again, next, plain].map((r) => {
      expect(r.statusCode).toBe(201);
      return (r.json() as { stored: number }).stored;
    });
    expect(numbers[1]).toBe(numbers[0]);
    expect(numbers[2]).toBe(numbers[0]);
    expect(new Set(numbers).size).toBe(3);
    const rows = await t.app.db.query<{ proof_id: string | null }>(
      `SELECT proof_id FROM cookie_consents WHERE consent_id = 'retry-visitor-1' ORDER BY seq`,
    );
    expect(rows).toEqual([
      { proof_id: 'proof-aaaa-0001' },
      { proof_id: 'proof-aaaa-0002' },
      { proof_id: null },
    ]);
  });
});
