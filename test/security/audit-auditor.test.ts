/**
 * The audit log for an auditor (issue 16, item 2): keyset pages hand-counted, the filters, the streamed
 * exports' row counts, names instead of ids, an actor found by name or e-mail through a POST, and the
 * chain check run from the page (verified, with the last signed checkpoint; then failing once entries
 * were put into the table behind the chain's back).
 *
 * The 1,200 bulk entries are inserted with one set-based statement, not through the app: the point is
 * paging and exporting more than one page (and more than one export read of 1,000), and writing them
 * one by one through the keyed chain would only make the test slow. They do not chain — which the last
 * test uses as the tampering the chain check must catch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordAudit } from '../../src/services/audit/auditLog.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN, userWithRoles } from './helpers.ts';

let ts: TestServer;
let ada: { userId: string; cookie: string };
let bob: { userId: string; cookie: string };
let dir: string;

beforeAll(async () => {
  ts = await startTestServer();
  ada = await userWithRoles(ts.app, ts.server, 'ada', [{ orgId: 'provendo', role: 'auditor' }]);
  bob = await userWithRoles(ts.app, ts.server, 'bob', [{ orgId: 'provendo', role: 'cs-agent' }]);
  await ts.app.db.query(`UPDATE users SET name = 'Ada Auditor' WHERE id = $1`, [ada.userId]);
  await ts.app.db.query(`UPDATE users SET name = 'Bob Agent' WHERE id = $1`, [bob.userId]);
  // A few real entries through the app.
  for (const day of ['2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z', '2026-03-03T09:00:00Z'])
    await recordAudit(ts.app.db, {
      actor: { kind: 'user', id: bob.userId },
      orgId: 'bokhylla',
      action: 'subject.read',
      target: `user:${ada.userId}`,
      at: new Date(day),
    });
  dir = mkdtempSync(join(tmpdir(), 'ombud-audit-auditor-'));
}, 60_000);
afterAll(async () => {
  await ts?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, cookie = ts.cookie) =>
  ts.server.inject({ method: 'GET', url, headers: { cookie } });
const post = (url: string, body: Record<string, string> = {}, cookie = ts.cookie) =>
  ts.server.inject({
    method: 'POST',
    url,
    headers: { cookie, ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(body).toString(),
  });
const rowsOn = (page: string) =>
  (page.split('<tbody>')[1]?.split('</tbody>')[0]?.match(/<tr>/g) ?? []).length;
const link = (page: string, rel: 'next' | 'prev') =>
  page.match(new RegExp(`rel="${rel}" href="([^"]+)"`))?.[1]?.replace(/&amp;/g, '&');

describe('the audit log for an auditor', () => {
  test('the chain check runs from the page and shows the last signed checkpoint', async () => {
    ts.setApp({
      auditTrust: {
        signingKeyFile: join(dir, 'audit-signing.key'),
        publicKeyFile: join(dir, 'audit-signing.key.pub'),
        checkpointDir: join(dir, 'checkpoints'),
        mailTo: [],
        createKeys: true,
      },
    });
    const made = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/audit/checkpoints',
      headers: { cookie: ts.cookie, ...SAME_ORIGIN },
    });
    expect(made.statusCode).toBe(201);
    const { checkpoint } = made.json();
    const page = await post('/console/audit/verify');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The chain verifies:');
    expect(page.body).toContain(`Last signed checkpoint: entry ${checkpoint.seq} (`);
    const [entry] = await ts.app.db.query<{ actor: string }>(
      `SELECT actor FROM audit_log WHERE action = 'audit.verify'`,
    );
    expect(entry?.actor).toMatch(/^user:/);
  });

  test('bulk entries: 1,200 of one action', async () => {
    await ts.app.db.query(
      `INSERT INTO audit_log (at, actor, org_id, action, target, details, prev_hash, hash)
       SELECT timestamptz '2026-03-01 00:00:00+00' + g * interval '1 second', $1, 'provendo', 'test.bulk', $2,
              '{}'::jsonb, repeat('0', 64), md5(g::text) || md5(g::text)
         FROM generate_series(1, 1200) AS g`,
      [`user:${ada.userId}`, `user:${bob.userId}`],
    );
  });

  test('keyset pages: 500, 500, 200, and back to the same second page', async () => {
    const first = await get('/console/audit?action=test.bulk&limit=500');
    expect(first.statusCode).toBe(200);
    expect(rowsOn(first.body)).toBe(500);
    expect(link(first.body, 'prev')).toBeUndefined();
    const second = await get(link(first.body, 'next')!);
    expect(rowsOn(second.body)).toBe(500);
    const third = await get(link(second.body, 'next')!);
    expect(rowsOn(third.body)).toBe(200);
    expect(link(third.body, 'next')).toBeUndefined();
    const back = await get(link(third.body, 'prev')!);
    expect(rowsOn(back.body)).toBe(500);
    const span = (b: string) => b.match(/\(entries (\d+)–(\d+)\)/)?.slice(1);
    expect(span(back.body)).toEqual(span(second.body));
    // Every link is by seq, never by offset.
    expect(first.body).not.toContain('offset=');

    const api = await get('/api/v1/audit?action=test.bulk&limit=500');
    expect(api.json()).toHaveLength(500);
    const older = api.headers['x-ombud-older'];
    const api2 = await get(`/api/v1/audit?action=test.bulk&limit=500&before=${older}`);
    const api3 = await get(
      `/api/v1/audit?action=test.bulk&limit=500&before=${api2.headers['x-ombud-older']}`,
    );
    expect(api3.json()).toHaveLength(200);
    expect(api3.headers['x-ombud-older']).toBeUndefined();
  });

  test('filters: company, day range, target, actor', async () => {
    // The three bokhylla reads: two on 2 March, one on 3 March.
    expect((await get('/api/v1/audit?org=bokhylla&action=subject.')).json()).toHaveLength(3);
    expect((await get('/api/v1/audit?org=bokhylla&from=2026-03-02&to=2026-03-02')).json()).toHaveLength(2);
    expect((await get('/api/v1/audit?from=2026-03-03&to=2026-03-03&action=subject.')).json()).toHaveLength(1);
    expect((await get(`/api/v1/audit?target=user:${ada.userId}&action=subject.`)).json()).toHaveLength(3);
    expect((await get(`/api/v1/audit?actor=user:${ada.userId}&action=test.&limit=5000`)).json()).toHaveLength(
      1200,
    );
    // The auditor of provendo never sees bokhylla's entries.
    expect((await get('/api/v1/audit?action=subject.', ada.cookie)).json()).toEqual([]);
    expect((await get('/api/v1/audit?from=2026-13-01')).statusCode).toBe(400);
  });

  test('exports stream every matching entry: CSV and JSON, 1,200 each', async () => {
    const csv = await get('/console/audit/export?action=test.bulk&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('seq,at,actor,org_id,action,target,reason,details,prev_hash,hash');
    expect(lines).toHaveLength(1201);
    const json = await get('/console/audit/export?action=test.bulk&format=json');
    expect(json.json()).toHaveLength(1200);
    const api = await get('/api/v1/audit?action=test.bulk&format=csv');
    expect(api.body.trim().split('\r\n')).toHaveLength(1201);
  });

  test('actors and targets by name, linked to the person', async () => {
    const page = await get('/console/audit?action=test.bulk&limit=5');
    expect(page.body).toContain(
      `<a href="/console/users/${ada.userId}" title="user:${ada.userId}">Ada Auditor</a>`,
    );
    expect(page.body).toContain(
      `<a href="/console/users/${bob.userId}" title="user:${bob.userId}">Bob Agent</a>`,
    );
    expect(page.body).not.toContain(`>user:${ada.userId}<`);
  });

  test('an actor found by name or e-mail through a POST: the redirect carries only the id', async () => {
    const byName = await post('/console/audit/actor', { who: 'ada aud', action: 'test.bulk' });
    expect(byName.statusCode).toBe(303);
    expect(byName.headers.location).toBe(`/console/audit?action=test.bulk&actor=user%3A${ada.userId}`);
    const byMail = await post('/console/audit/actor', { who: 'ADA@staff.example' });
    expect(byMail.headers.location).toBe(`/console/audit?actor=user%3A${ada.userId}`);
    expect(byMail.headers.location).not.toContain('staff.example');
    const none = await post('/console/audit/actor', { who: 'nobody@staff.example' });
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('No person or API key has that name or e-mail address.');
    const found = await get(byName.headers.location as string);
    expect(found.body).toContain('Actor: <strong>Ada Auditor</strong>');
    const lookups = await ts.app.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'audit.actor-lookup' ORDER BY seq`,
    );
    expect(lookups.map((l) => l.details)).toEqual([
      { by: 'name', matches: 1 },
      { by: 'e-mail', matches: 1 },
      { by: 'e-mail', matches: 0 },
    ]);
  });

  test('entries put into the table behind the chain: the check on the page fails', async () => {
    const page = await post('/console/audit/verify');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The chain does not verify');
    expect(page.body).toContain('role="alert"');
  });
});
