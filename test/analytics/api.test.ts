/**
 * Analytics exports over HTTP (a real server with the demo systems, embedded) and from the command line
 * (Ombud on the PostgreSQL server, the demo systems on the real servers): the export's 201 with its
 * guarantee, the list, the file, the console page, and the refusals (400 with the field's path, 422 for an
 * export the register does not define).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { readRegisterSources } from '../../src/services/register/readRegisterDir.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';
import { captureIo } from '../support/cli.ts';
import type { TestServer } from '../support/server.ts';
import { callOn, startAnalyticsServer } from './support.ts';
import { ombudServerDb, retentionSystems } from '../retention/support.ts';

let ts: TestServer;
const call = (method: 'GET' | 'POST', url: string, payload?: unknown, accept = 'application/json') =>
  callOn(ts, method, url, payload, accept);

beforeAll(async () => {
  ts = await startAnalyticsServer();
}, 120_000);
afterAll(async () => {
  await ts?.close();
});

describe('analytics exports over HTTP', () => {
  test('P13 P23 run an aggregate as CSV: 201 with what it guaranteed; listed; the file and the console page', async () => {
    const r = await call('POST', '/api/v1/organizations/nestit-sverige/analytics/exports', {
      purpose: 'customer-analyses',
      export: 'items-by-product-and-month',
      format: 'csv',
    });
    expect(r.statusCode, r.body).toBe(201);
    const e = r.json();
    expect(e).toMatchObject({
      orgId: 'nestit-sverige',
      purposeId: 'customer-analyses',
      exportId: 'items-by-product-and-month',
      kind: 'aggregate',
      format: 'csv',
      seriesId: null,
      guarantee: { kind: 'aggregate', k: 10, timePrecision: 'month', noise: null, pseudonym: null },
      file: `/api/v1/analytics/exports/${e.id}/file`,
    });
    const list = await call('GET', '/api/v1/organizations/nestit-sverige/analytics/exports');
    expect(list.statusCode).toBe(200);
    expect(list.json().exports.map((x: { id: string }) => x.id)).toContain(e.id);
    const file = await call('GET', e.file, undefined, 'text/csv');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    expect(file.body.split('\r\n')[0]).toBe('product,month,subjects,rows,items,suppressed');
    // Every published cell stands for at least k customers.
    for (const line of file.body.trim().split('\r\n').slice(1)) {
      const [, , subjects, , , suppressed] = line.split(',');
      if (suppressed) expect(subjects, line).toBe('');
      else if (subjects !== '0') expect(Number(subjects), line).toBeGreaterThanOrEqual(10);
    }
    const page = await call('GET', '/console/analytics', undefined, 'text/html');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`export-${e.id}`);
    expect(page.body).toContain('orders-by-country-and-product');
  });

  test('P23 a JSON export carries its guarantee; a rows export its pseudonym series', async () => {
    const r = await call('POST', '/api/v1/organizations/nestit-sverige/analytics/exports', {
      purpose: 'customer-analyses',
      export: 'order-rows',
    });
    expect(r.statusCode, r.body).toBe(201);
    const file = await call('GET', r.json().file);
    expect(file.statusCode).toBe(200);
    const body = file.json();
    expect(body.guarantee.pseudonym).toEqual({ series: r.json().seriesId, algorithm: 'HMAC-SHA256/128' });
    expect(Object.keys(body.records[0])).toEqual([
      'subject',
      'country',
      'product',
      'items',
      'total_cents',
      'month',
    ]);
    expect(body.records.length).toBeGreaterThan(0);
    // Only the company's own customers (the web shop's Swedish ones are NestIT Sverige's).
    expect(new Set(body.records.map((x: { country: string }) => x.country))).toEqual(new Set(['SE']));
  });

  test('refusals: a bad body is a 400 naming the field; an export the register lacks a 422; a file that is not there a 404', async () => {
    const bad = await call('POST', '/api/v1/organizations/nestit-sverige/analytics/exports', {
      purpose: 'customer-analyses',
      export: 'order-rows',
      format: 'xlsx',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('format');
    const unknown = await call('POST', '/api/v1/organizations/nestit-sverige/analytics/exports', {
      purpose: 'customer-analyses',
      export: 'everything',
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('unknown-export');
    const missing = await call('GET', '/api/v1/analytics/exports/00000000-0000-4000-8000-000000000000/file');
    expect(missing.statusCode).toBe(404);
  });
});

describe('ombud analytics', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  test('P13 export an aggregate as CSV to stdout with its guarantee on stderr; list it; noisy counts spend the budget', async () => {
    const o = await ombudServerDb();
    cleanup.push(o.drop);
    await applyRegister(o.db, SYSTEM_ACTOR, await readRegisterSources(DEMO_REGISTER_DIR));
    const s = await retentionSystems({ customers: 60 });
    cleanup.push(s.close);
    const before = { url: process.env.DATABASE_URL, keys: process.env.OMBUD_SECRET_KEYS };
    process.env.DATABASE_URL = o.url;
    process.env.OMBUD_SECRET_KEYS = TEST_AUDIT_KEYRING;
    cleanup.push(async () => {
      if (before.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before.url;
      if (before.keys === undefined) delete process.env.OMBUD_SECRET_KEYS;
      else process.env.OMBUD_SECRET_KEYS = before.keys;
    });
    const conn = [
      '--connection',
      `nestit_webshop=${s.webshop.url}`,
      '--connection',
      `nestit_customer_service=${s.service.url}`,
    ];
    const run = captureIo();
    const args = ['analytics', 'export', '--org', 'nestit-sverige', '--purpose', 'customer-analyses'];
    expect(
      await main([...args, '--export', 'orders-by-country-and-product', '--format', 'csv', ...conn], run.io),
    ).toBe(0);
    expect(run.text().split(/\r?\n/)[0]).toBe(
      'country,product,subjects,rows,total_cents,avg_items,suppressed',
    );
    expect(run.errors()).toMatch(/k = 10: \d+ under k, \d+ hidden with them/);

    // The noisy export spends ε 1 of the purpose's 3 each time: the fourth is refused.
    for (let i = 1; i <= 3; i++) {
      const n = captureIo();
      expect(await main([...args, '--export', 'orders-by-country-noisy', ...conn, '--json'], n.io)).toBe(0);
      expect(JSON.parse(n.text()).guarantee.noise).toMatchObject({
        mechanism: 'laplace',
        epsilon: 1,
        budget: 3,
        spent: i,
      });
    }
    const spent = captureIo();
    expect(await main([...args, '--export', 'orders-by-country-noisy', ...conn], spent.io)).toBe(1);
    expect(spent.errors()).toContain('privacy budget');

    const list = captureIo();
    expect(await main(['analytics', 'list', '--org', 'nestit-sverige', '--json'], list.io)).toBe(0);
    expect(JSON.parse(list.text()).exports).toHaveLength(4);
  }, 120_000);
});
