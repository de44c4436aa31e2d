/**
 * No personal data in logs: run the demo flows with every log line captured (level trace) and
 * scan each for the demo data's e-mail addresses, phone numbers and names.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN } from './helpers.ts';

const lines: string[] = [];
let ts: TestServer;

const CUSTOMER = { name: 'Anna Svensson', email: 'anna.svensson@example.se', phone: '+46 70 123 45 67' };
const STAFF = { name: 'Kari Nordmann', email: 'kari.nordmann@provendo.example' };

beforeAll(async () => {
  ts = await startTestServer({
    logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } },
  });
}, 60_000);
afterAll(() => ts?.close());

async function demoFlows() {
  const s = ts.server;
  const h = { cookie: ts.cookie, ...SAME_ORIGIN };
  // People sign in, fail to, are invited, reset, disabled.
  await s.inject({
    method: 'POST',
    url: '/console/login',
    payload: { email: CUSTOMER.email, password: CUSTOMER.phone },
  });
  await s.inject({
    method: 'POST',
    url: '/console/login',
    payload: { email: TEST_ADMIN.email, password: 'wrong' },
  });
  await s.inject({
    method: 'POST',
    url: '/console/login',
    payload: `email=${encodeURIComponent(TEST_ADMIN.email)}&password=${encodeURIComponent(TEST_ADMIN.password)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const inv = await s.inject({
    method: 'POST',
    url: '/api/v1/users/invite',
    headers: h,
    payload: { email: STAFF.email, name: STAFF.name, orgId: 'provendo', role: 'cs-agent' },
  });
  expect(inv.statusCode).toBe(201);
  const { userId } = inv.json();
  await s.inject({ method: 'POST', url: `/api/v1/users/${userId}/reset`, headers: h });
  await s.inject({ method: 'GET', url: '/api/v1/users', headers: h });
  await s.inject({ method: 'GET', url: '/console/users', headers: h });
  await s.inject({ method: 'POST', url: `/api/v1/users/${userId}/disable`, headers: h });
  // Personal data where it does not belong: in URLs, queries and invalid bodies.
  await s.inject({
    method: 'GET',
    url: `/privacy/nestit-group?lang=en&email=${encodeURIComponent(CUSTOMER.email)}`,
  });
  await s.inject({ method: 'GET', url: `/no/such/${encodeURIComponent(CUSTOMER.email)}` });
  await s.inject({
    method: 'GET',
    url: `/api/v1/audit?actor=${encodeURIComponent(CUSTOMER.email)}`,
    headers: h,
  });
  await s.inject({
    method: 'POST',
    url: '/api/v1/apikeys',
    headers: h,
    payload: { name: CUSTOMER.name, orgIds: [CUSTOMER.email] },
  });
  await s.inject({
    method: 'POST',
    url: '/api/v1/users/invite',
    headers: h,
    payload: { email: CUSTOMER.email, phone: CUSTOMER.phone },
  });
  // The register, notices, records and audit as staff use them.
  for (const url of [
    '/console',
    '/console/data-flow',
    '/console/notices',
    '/console/audit',
    '/api/v1/register',
    '/api/v1/organizations/provendo/ropa?format=csv',
    '/privacy',
    '/privacy/provendo?lang=nb',
  ])
    await s.inject({ method: 'GET', url, headers: h });
}

async function registerEmails(): Promise<string[]> {
  const out = new Set<string>();
  for (const f of await readdir(DEMO_REGISTER_DIR, { recursive: true })) {
    if (!/\.ya?ml$/.test(f)) continue;
    const text = await readFile(join(DEMO_REGISTER_DIR, f), 'utf8');
    for (const m of text.matchAll(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/g)) out.add(m[0]);
  }
  return [...out];
}

describe('no personal data in logs', () => {
  test('demo flows log requests, but never an e-mail address, phone number or name', async () => {
    await demoFlows();
    expect(lines.length).toBeGreaterThan(40);
    expect(lines.some((l) => l.includes('"statusCode"'))).toBe(true);
    const needles = [
      TEST_ADMIN.email,
      TEST_ADMIN.password,
      'Demo DPO',
      CUSTOMER.name,
      CUSTOMER.email,
      CUSTOMER.phone,
      CUSTOMER.phone.replace(/\s/g, ''),
      STAFF.name,
      STAFF.email,
      ...(await registerEmails()),
    ];
    const hits: string[] = [];
    for (const line of lines) {
      const lower = line.toLowerCase();
      for (const n of needles)
        if (lower.includes(n.toLowerCase())) hits.push(`${n} in ${line.slice(0, 300)}`);
      // Nor any other e-mail address or session token.
      if (/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}/.test(line))
        hits.push(`e-mail-like text in ${line.slice(0, 300)}`);
      if (line.includes('ombud_session=')) hits.push(`session cookie in ${line.slice(0, 300)}`);
    }
    expect(hits).toEqual([]);
  });
});
