/**
 * Rate limits of the public request form and the verification endpoints: per client address, per
 * e-mail address asked for, and per submission; a page message on the forms, problem+json on the API.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type DeskServer, startDesk } from './support.ts';
import { postForm } from '../support/http.ts';

let s: DeskServer;
beforeEach(async () => {
  s = await startDesk();
});
afterEach(async () => s?.close());

const form = (email: string, remoteAddress = '203.0.113.7') =>
  postForm(
    s.server,
    '/privacy/requests',
    { company: 'nestit-sverige', type: 'access', email, lang: 'en' },
    {},
    remoteAddress,
  );

test('the request form is limited per client address, with a clear page message and Retry-After', async () => {
  s.configure({ requestLimits: { ...s.app.config.requestLimits, formPerHour: 3 } });
  for (let i = 0; i < 3; i++) expect((await form(`person${i}@example.org`)).statusCode).toBe(303);
  const limited = await form('person9@example.org');
  expect(limited.statusCode).toBe(429);
  expect(limited.headers['content-type']).toContain('text/html');
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited.body).toContain('Too many requests have been sent from your network');
  expect(limited.body).toMatch(/Please wait \d+ minutes? and try again/);
  // The form is still there to use later, and nothing was filed or mailed for the refused attempt.
  expect(limited.body).toContain('<form');
  const n = await s.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dsr_submissions');
  expect(n[0]!.n).toBe(3);
  // Another address is not affected.
  expect((await form('person9@example.org', '198.51.100.4')).statusCode).toBe(303);
});

test('the request form is limited per e-mail address, so nobody can flood an inbox with codes', async () => {
  s.configure({ requestLimits: { ...s.app.config.requestLimits, recipientPerHour: 2 } });
  const victim = 'Victim@Example.org';
  expect((await form(victim, '203.0.113.1')).statusCode).toBe(303);
  expect((await form(victim.toLowerCase(), '203.0.113.2')).statusCode).toBe(303);
  const limited = await form(victim, '203.0.113.3');
  expect(limited.statusCode).toBe(429);
  expect(limited.body).toContain('Too many requests have been made for this e-mail address');
  // The message does not echo the address.
  expect(limited.body).not.toContain('Victim@Example.org"');
  expect((await form('someone.else@example.org', '203.0.113.3')).statusCode).toBe(303);
});

test('verification is limited per submission across addresses (problem+json on the API) and per client address', async () => {
  s.configure({
    requestLimits: { ...s.app.config.requestLimits, verifyPerSubmission: 3, verifyPerQuarter: 4 },
  });
  const res = await form('verifier@example.org');
  const submissionId = new URL(String(res.headers.location), 'http://x').searchParams.get('s')!;
  const verify = (remoteAddress: string, id = submissionId) =>
    s.server.inject({
      method: 'POST',
      url: '/api/v1/requests/verify-code',
      remoteAddress,
      payload: { submissionId: id, code: '000000' },
    });
  for (let i = 0; i < 3; i++) expect((await verify(`198.51.100.${i + 1}`)).statusCode).not.toBe(429);
  const perSubmission = await verify('198.51.100.99');
  expect(perSubmission.statusCode).toBe(429);
  expect(perSubmission.headers['content-type']).toContain('application/problem+json');
  expect(perSubmission.json()).toMatchObject({ code: 'too-many-requests', status: 429 });
  expect(perSubmission.json().detail).toContain('this request');
  expect(perSubmission.headers['retry-after']).toBeDefined();

  // Per client address: one address trying many submissions.
  const other = () => crypto.randomUUID();
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) codes.push((await verify('192.0.2.50', other())).statusCode);
  expect(codes.slice(0, 4)).not.toContain(429);
  expect(codes[4]).toBe(429);

  // The verification page shows a message, not JSON.
  const page = await postForm(
    s.server,
    '/privacy/requests/verify',
    { s: submissionId, code: '123456' },
    {},
    '192.0.2.50',
  );
  expect(page.statusCode).toBe(429);
  expect(page.headers['content-type']).toContain('text/html');
  expect(page.body).toContain('Too many confirmation attempts');
});
