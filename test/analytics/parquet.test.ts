/**
 * Analytics exports in Parquet over HTTP (a real server on PostgreSQL with the demo systems, embedded): the
 * file read back with hyparquet (not the writer) holds the same records as the CSV of the same definition,
 * typed, suppressed figures null, the guarantee in its key-value metadata; a rows export only pseudonyms and
 * the export's columns. The download is audited like the others.
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import type { TestServer } from '../support/server.ts';
import { callOn, startAnalyticsServer } from './support.ts';

let ts: TestServer;
const call = (method: 'GET' | 'POST', url: string, payload?: unknown, accept = 'application/json') =>
  callOn(ts, method, url, payload, accept);

beforeAll(async () => {
  ts = await startAnalyticsServer();
}, 120_000);
afterAll(async () => {
  await ts?.close();
});

const run = async (exportId: string, format: string) => {
  const r = await call('POST', '/api/v1/organizations/nestit-sverige/analytics/exports', {
    purpose: 'customer-analyses',
    export: exportId,
    format,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; file: string; format: string; seriesId: string | null };
};

const readParquet = async (bytes: Buffer) => {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const meta = parquetMetadata(file);
  const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((x) => [x.key, x.value]));
  const records = (await parquetReadObjects({ file })) as Record<string, string | number | null>[];
  const schema = meta.schema.slice(1).map((s) => ({ name: s.name, type: s.type }));
  return { kv, records, schema };
};

describe('analytics exports in Parquet', () => {
  test('P13 P42 an aggregate in Parquet: the CSV records, typed, suppressed figures null, the guarantee in the metadata; the download audited', async () => {
    const csvExport = await run('items-by-product-and-month', 'csv');
    const csv = await call('GET', csvExport.file, undefined, 'text/csv');
    const pq = await run('items-by-product-and-month', 'parquet');
    expect(pq.format).toBe('parquet');
    const file = await call('GET', pq.file, undefined, 'application/vnd.apache.parquet');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/vnd.apache.parquet');
    expect(file.headers['content-disposition']).toMatch(/\.parquet"$/);
    const bytes = file.rawPayload;
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    const { kv, records, schema } = await readParquet(bytes);

    // The columns, typed; none of them a direct identifier.
    expect(schema).toEqual([
      { name: 'product', type: 'BYTE_ARRAY' },
      { name: 'month', type: 'BYTE_ARRAY' },
      { name: 'subjects', type: 'INT32' },
      { name: 'rows', type: 'INT32' },
      { name: 'items', type: 'INT32' },
      { name: 'suppressed', type: 'BYTE_ARRAY' },
    ]);

    // The same records as the CSV of the same definition (no noise: the counts are the same).
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('product,month,subjects,rows,items,suppressed');
    const fromCsv = lines.slice(1).map((l) => l.split(','));
    const asCsv = records.map((r) =>
      ['product', 'month', 'subjects', 'rows', 'items', 'suppressed'].map((c) =>
        r[c] === null ? '' : String(r[c]),
      ),
    );
    expect(asCsv).toEqual(fromCsv);
    expect(records.length).toBeGreaterThan(3);

    // Suppressed cells carry nulls, not zeros; published cells stand for at least k = 10 customers.
    const hidden = records.filter((r) => r.suppressed !== null);
    expect(hidden.length).toBeGreaterThan(0);
    for (const r of hidden) {
      expect(['below-k', 'complementary']).toContain(r.suppressed);
      expect([r.subjects, r.rows, r.items]).toEqual([null, null, null]);
    }
    for (const r of records.filter((x) => x.suppressed === null && x.subjects !== 0))
      expect(r.subjects as number).toBeGreaterThanOrEqual(10);
    expect(records.at(-1)).toMatchObject({ product: '*', month: '*' });

    // The guarantee travels in the file.
    const g = JSON.parse(kv['ombud.guarantee']!);
    expect(g).toMatchObject({
      kind: 'aggregate',
      k: 10,
      timePrecision: 'month',
      records: records.length,
      noise: null,
      pseudonym: null,
    });
    expect(g.suppressed.primary + g.suppressed.complementary).toBe(hidden.length);
    expect(JSON.parse(kv['ombud.export']!)).toMatchObject({
      company: 'nestit-sverige',
      purpose: 'customer-analyses',
      export: 'items-by-product-and-month',
    });

    const audit = await ts.app.db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE target = $1 ORDER BY action',
      [`analytics-export:${pq.id}`],
    );
    expect(audit.map((a) => a.action)).toEqual(['analytics.download', 'analytics.export']);
  });

  test('P13 P42 a rows export in Parquet holds the series pseudonym and the columns, nothing else', async () => {
    const pq = await run('order-rows', 'parquet');
    expect(pq.seriesId).not.toBeNull();
    const file = await call('GET', pq.file, undefined, 'application/vnd.apache.parquet');
    expect(file.statusCode).toBe(200);
    const { kv, records, schema } = await readParquet(file.rawPayload);
    expect(schema.map((s) => s.name)).toEqual([
      'subject',
      'country',
      'product',
      'items',
      'total_cents',
      'month',
    ]);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.subject).toMatch(/^[0-9a-f]{32}$/);
      expect(r.country).toBe('SE');
      expect(r.month).toMatch(/^\d{4}-\d{2}$/);
      for (const v of Object.values(r)) expect(String(v)).not.toContain('@');
    }
    expect(JSON.parse(kv['ombud.guarantee']!).pseudonym).toEqual({
      series: pq.seriesId,
      algorithm: 'HMAC-SHA256/128',
    });
  });

  test('ombud analytics export --format parquet needs --out: a usage error before anything runs', async () => {
    const run = captureIo();
    const code = await main(
      [
        'analytics',
        'export',
        '--org',
        'nestit-sverige',
        '--purpose',
        'customer-analyses',
        '--export',
        'order-rows',
        '--format',
        'parquet',
        '--demo',
      ],
      run.io,
    );
    expect(code).toBe(2);
    expect(run.errors()).toContain('--out');
  });
});
