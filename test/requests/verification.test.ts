/**
 * Identity verification: the e-mail code (hashed, expiring, attempts limited), a signed assertion checked
 * against a JWKS served on loopback, and an agent's recorded check. And the public form's reply, which is
 * the same whether or not the address is known.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeIn, type DeskServer, startDesk } from './support.ts';
import { postForm } from '../support/http.ts';

describe('verification', () => {
  let s: DeskServer;
  let jwks: Server;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let clock: Date | undefined;

  beforeAll(async () => {
    s = await startDesk({ now: () => clock ?? new Date() });
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'shop-1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
    s.configure({
      assertion: {
        jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
        issuer: 'https://shop.nestit.example',
        audience: 'ombud-requests',
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    await new Promise<void>((r) => jwks.close(() => r()));
  });

  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    s.server.inject({ method: 'POST', url, payload, headers: { ...s.origin, ...headers } });
  const file = async (body: Record<string, unknown>) =>
    (await post('/api/v1/requests', body, { 'idempotency-key': crypto.randomUUID() })).json();
  const state = async (id: string) =>
    (await s.server.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: s.origin })).json()
      .request;

  const sign = (claims: Record<string, unknown>, key = privateKey, iss = 'https://shop.nestit.example') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'shop-1' })
      .setIssuer(iss)
      .setAudience('ombud-requests')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  test("P25 a signed assertion from the shop's logged-in session verifies the request", async () => {
    const email = 'shopper@example.org';
    const sub = await file({ company: 'bokhylla', type: 'access', email, sendCode: false });
    const forged = await post('/api/v1/requests/verify-assertion', {
      submissionId: sub.submissionId,
      assertion: await sign({ sub: 'cust-42', email }, otherKey),
    });
    expect(forged.statusCode).toBe(401);
    const wrongIssuer = await post('/api/v1/requests/verify-assertion', {
      submissionId: sub.submissionId,
      assertion: await sign({ sub: 'cust-42', email }, privateKey, 'https://evil.example'),
    });
    expect(wrongIssuer.statusCode).toBe(401);
    const otherPerson = await post('/api/v1/requests/verify-assertion', {
      submissionId: sub.submissionId,
      assertion: await sign({ sub: 'cust-43', email: 'someone.else@example.org' }),
    });
    expect(otherPerson.statusCode).toBe(401);
    expect(await state(sub.requests[0].id)).toMatchObject({ state: 'received' });
    const ok = await post('/api/v1/requests/verify-assertion', {
      submissionId: sub.submissionId,
      assertion: await sign({ sub: 'cust-42', email: 'Shopper@Example.org' }),
    });
    expect(ok.statusCode).toBe(200);
    expect(await state(sub.requests[0].id)).toMatchObject({
      state: 'verified',
      verificationMethod: 'signed-assertion',
    });
  });

  test('P25 the e-mail code is stored hashed, expires, and allows five attempts', async () => {
    const email = 'code.user@example.org';
    const sub = await file({ company: 'nestit-group', type: 'access', email });
    const code = codeIn(await s.smtp.waitFor((m) => m.to.includes(email)))!;
    const rows = await s.app.db.query<{ code_hash: string }>(
      'SELECT code_hash FROM dsr_verification_codes WHERE submission_id=$1',
      [sub.submissionId],
    );
    expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.code_hash).not.toContain(code);
    const wrong = code === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++)
      expect(
        (await post('/api/v1/requests/verify-code', { submissionId: sub.submissionId, code: wrong }))
          .statusCode,
      ).toBe(422);
    const locked = await post('/api/v1/requests/verify-code', { submissionId: sub.submissionId, code });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('too-many-attempts');

    const email2 = 'slow.user@example.org';
    const sub2 = await file({ company: 'nestit-group', type: 'access', email: email2 });
    const code2 = codeIn(await s.smtp.waitFor((m) => m.to.includes(email2)))!;
    clock = new Date(Date.now() + 16 * 60_000);
    const expired = await post('/api/v1/requests/verify-code', {
      submissionId: sub2.submissionId,
      code: code2,
    });
    expect(expired.statusCode).toBe(422);
    expect(expired.json().code).toBe('verification-failed');
    clock = undefined;
  });

  test("P05 an agent's manual check is recorded as a note, never a copy of the document", async () => {
    const sub = await file({
      company: 'nestit-group',
      type: 'rectification',
      email: 'walkin@example.org',
      sendCode: false,
    });
    const id = sub.requests[0].id;
    const empty = await post(`/api/v1/requests/${id}/verify-manual`, { note: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors[0].path).toBe('note');
    await post(`/api/v1/requests/${id}/verify-manual`, { note: 'ID seen: passport, name matches' });
    expect(await state(id)).toMatchObject({ state: 'verified', verificationMethod: 'manual-id-check' });
  });

  test('P34 the public form answers the same whether or not the address is known, and never puts it in the URL', async () => {
    const known = 'anna.known@example.org';
    // Make the address known at a company of the group: it is in Bokhyllan's consent register.
    const objection = await post(
      '/api/v1/organizations/bokhylla/objections',
      { identity: { email: known }, purpose: 'surveys', channel: '*' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(objection.statusCode).toBe(201);
    const submit = (email: string) =>
      postForm(s.server, '/privacy/requests', { company: 'group', type: 'access', email, lang: 'en' });
    const a = await submit(known);
    const b = await submit('never.seen.before@example.org');
    expect(a.statusCode).toBe(303);
    expect(b.statusCode).toBe(303);
    const strip = (loc: string) => loc.replace(/[0-9a-f-]{36}/, 'ID');
    expect(strip(String(a.headers.location))).toBe(strip(String(b.headers.location)));
    expect(String(a.headers.location)).not.toContain('example.org');
    const pa = await s.server.inject({ method: 'GET', url: String(a.headers.location) });
    const pb = await s.server.inject({ method: 'GET', url: String(b.headers.location) });
    expect(pa.body.replace(/[0-9a-f-]{36}/g, 'ID')).toBe(pb.body.replace(/[0-9a-f-]{36}/g, 'ID'));
    expect(pa.body).toContain('Enter it below');
    const bad = await postForm(s.server, '/privacy/requests', {
      company: 'group',
      type: 'access',
      email: 'not-an-address',
      lang: 'en',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Enter a valid e-mail address');
    expect(bad.body).not.toContain('not-an-address"'.slice(0, 0) + 'value="not-an-address"');
  });
});
