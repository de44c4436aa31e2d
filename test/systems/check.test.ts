/**
 * `ombud systems check` on real databases (the Acme shop on PostgreSQL, its help desk on MariaDB): every
 * check OK on a good configuration; a missing table, a wrong column, an unreachable URL, a user without the
 * rights the annotations need and a bad systems file each reported with the reason (and file:line:column)
 * and exit 1. Run in-process through the CLI's main with its io captured.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../support/cli.ts';
import { DB_SUFFIX, pgAdmin } from '../support/db.ts';
import { type AcmeSystems, acmeFolder, acmeSystems } from './support.ts';

type Check = {
  target: string;
  check: string;
  status: string;
  detail: string;
  file?: string;
  line?: number;
  column?: number;
};
type Report = {
  ok: boolean;
  findings: { severity: string; file: string; line: number; column: number; message: string }[];
  checks: Check[];
};

async function check(args: string[]): Promise<{ code: number; report: Report; text: string }> {
  const json = captureIo();
  const code = await main(['systems', 'check', ...args, '--json'], json.io);
  const plain = captureIo();
  expect(await main(['systems', 'check', ...args], plain.io)).toBe(code);
  return { code, report: JSON.parse(json.text()) as Report, text: `${plain.text()}\n${plain.errors()}` };
}

const rows = (r: Report) => r.checks.map((c) => [c.target, c.check, c.status]);
const SHOP_DATASETS = 'test/fixtures/group-systems/datasets/shop.yaml';
const HELPDESK_DATASETS = 'test/fixtures/group-systems/datasets/helpdesk.yaml';

/** Every check of the fixture, in the order they are made, all OK. */
const ALL_OK = [
  ['acme_shop', 'connect', 'ok'],
  ['acme_shop', 'customers', 'ok'],
  ['acme_shop', 'orders', 'ok'],
  ['acme_shop', 'reviews', 'ok'],
  ['acme_shop', 'ombud-tables', 'ok'],
  ['acme_helpdesk', 'connect', 'ok'],
  ['acme_helpdesk', 'tickets', 'ok'],
  ['acme_helpdesk', 'ticket_messages', 'ok'],
  ['acme_helpdesk', 'calls', 'ok'],
  ['acme_helpdesk', 'ombud-tables', 'ok'],
];

describe('ombud systems check', () => {
  let good: AcmeSystems;
  const cleanup: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    good = await acmeSystems();
    cleanup.push(good.close);
  }, 60_000);
  afterAll(async () => {
    delete process.env.ACME_SHOP_URL;
    for (const f of cleanup.reverse()) await f();
  });

  test('a good configuration: every connection, collection and Ombud table OK, exit 0', async () => {
    const f = acmeFolder({ helpdeskUrl: good.helpdesk.url });
    cleanup.push(f.remove);
    process.env.ACME_SHOP_URL = good.shop.url;
    const { code, report, text } = await check(['--register', f.register]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(rows(report)).toEqual(ALL_OK);
    const detail = (target: string, name: string) =>
      report.checks.find((c) => c.target === target && c.check === name)!.detail;
    // What each collection's annotation needs, tried: deleting rows, and updating the masked columns.
    expect(detail('acme_shop', 'customers')).toBe('5 columns; identity email (email); may read, delete');
    expect(detail('acme_shop', 'reviews')).toBe(
      '6 columns; identity email (email); may read, delete, update email, author_name, body',
    );
    expect(detail('acme_helpdesk', 'calls')).toBe(
      '6 columns; identity email (email); may read, delete, update email, caller_name',
    );
    expect(detail('acme_shop', 'ombud-tables')).toBe(
      'ombud_restrictions, ombud_retention_done can be created',
    );
    // Where a database is, without its user or password.
    expect(detail('acme_shop', 'connect')).toMatch(/^postgres:\/\/127\.0\.0\.1:5432\/acme_shop_[0-9a-f]+/);
    expect(detail('acme_helpdesk', 'connect')).toMatch(/^mysql:\/\/127\.0\.0\.1:3306\/acme_helpdesk_/);
    // The table, and nothing changed: no test table left, no Ombud table created.
    expect(text).toMatch(/^SYSTEM +CHECK +RESULT +DETAIL$/m);
    expect(text).toMatch(/^acme_shop +reviews +OK +6 columns/m);
    expect(text).toContain('10 checks OK, 0 failed.');
    const pgTables = await good.shop.connector.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(pgTables.map((r) => r.t).sort()).toEqual(['customers', 'orders', 'reviews']);
    const myTables = await good.helpdesk.connector.query<{ t: string }>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1',
    );
    expect(myTables.map((r) => r.t).sort()).toEqual(['calls', 'ticket_messages', 'tickets']);
  });

  test('a missing table and a wrong column: FAIL with the reason at the annotation, exit 1', async () => {
    const broken = await acmeSystems();
    cleanup.push(broken.close);
    await broken.shop.connector.exec('DROP TABLE reviews');
    await broken.helpdesk.connector.exec('ALTER TABLE calls CHANGE caller_name caller VARCHAR(100) NOT NULL');
    const f = acmeFolder({ helpdeskUrl: broken.helpdesk.url });
    cleanup.push(f.remove);
    process.env.ACME_SHOP_URL = broken.shop.url;
    const { code, report, text } = await check(['--register', f.register]);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => c.status !== 'ok');
    expect(failed).toEqual([
      {
        target: 'acme_shop',
        check: 'reviews',
        status: 'fail',
        detail: "Table 'reviews' does not exist in the live database.",
        file: SHOP_DATASETS,
        line: 37,
        column: 9,
      },
      {
        target: 'acme_helpdesk',
        check: 'calls',
        status: 'fail',
        detail: "Column 'caller_name' does not exist in table 'calls'.",
        file: HELPDESK_DATASETS,
        line: 48,
        column: 13,
      },
    ]);
    expect(text).toMatch(
      new RegExp(
        `^acme_shop +reviews +FAIL +Table 'reviews' does not exist in the live database\\. \\(${SHOP_DATASETS}:37:9\\)$`,
        'm',
      ),
    );
    expect(text).toContain('8 checks OK, 2 failed.');
  });

  test('an unreachable database: FAIL with the driver reason, the others still checked, exit 1', async () => {
    const f = acmeFolder({ helpdeskUrl: good.helpdesk.url });
    cleanup.push(f.remove);
    // Port 1 on the loopback: nothing listens there.
    process.env.ACME_SHOP_URL = 'postgres://shop:s3cret-pw@127.0.0.1:1/acme_shop';
    const { code, report, text } = await check(['--systems', f.systemsFile, '--register', f.register]);
    expect(code).toBe(1);
    expect(rows(report)).toEqual([
      ['acme_shop', 'connect', 'fail'],
      ['acme_helpdesk', 'connect', 'ok'],
      ['acme_helpdesk', 'tickets', 'ok'],
      ['acme_helpdesk', 'ticket_messages', 'ok'],
      ['acme_helpdesk', 'calls', 'ok'],
      ['acme_helpdesk', 'ombud-tables', 'ok'],
    ]);
    const shop = report.checks[0]!;
    expect(shop.detail).toMatch(/^postgres:\/\/127\.0\.0\.1:1\/acme_shop cannot be reached: .*ECONNREFUSED/);
    expect([shop.file, shop.line, shop.column]).toEqual([f.systemsFile, 5, 14]);
    // The password is never printed.
    expect(text).not.toContain('s3cret-pw');
    expect(JSON.stringify(report)).not.toContain('s3cret-pw');
  });

  test('a database user without the rights the annotations need: FAIL naming the right, exit 1', async () => {
    const role = `ombud_ro_${randomBytes(4).toString('hex')}${DB_SUFFIX}`;
    const db = new URL(good.shop.url).pathname.slice(1);
    await pgAdmin(`CREATE ROLE ${role} LOGIN`);
    cleanup.push(() => pgAdmin(`DROP ROLE IF EXISTS ${role}`));
    await good.shop.connector.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    cleanup.push(() => good.shop.connector.exec(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`));
    const f = acmeFolder({ helpdeskUrl: good.helpdesk.url });
    cleanup.push(f.remove);
    process.env.ACME_SHOP_URL = `postgres://${role}@127.0.0.1:5432/${db}`;
    const { code, report } = await check(['--register', f.register]);
    expect(code).toBe(1);
    const shop = Object.fromEntries(
      report.checks.filter((c) => c.target === 'acme_shop').map((c) => [c.check, [c.status, c.detail]]),
    );
    expect(shop).toEqual({
      connect: ['ok', expect.any(String)],
      customers: ['fail', 'cannot delete rows: permission denied for table customers'],
      orders: ['fail', 'cannot delete rows: permission denied for table orders'],
      reviews: [
        'fail',
        'cannot delete rows: permission denied for table reviews cannot update email, author_name, body: permission denied for table reviews',
      ],
      'ombud-tables': [
        'fail',
        'cannot create ombud_restrictions and ombud_retention_done (needed at the first erasure or retention run): permission denied for schema public',
      ],
    });
  });

  test('a bad systems file: each finding at file:line:column, exit 1, nothing connected', async () => {
    const f = acmeFolder({
      ombudYaml: [
        'datasets: ../datasets',
        'systems:',
        '  acme_shop:',
        '    url: ${env:ACME_SHOP_URL}',
        '    user: shop',
        '  acme_helpdesk: ${vault:helpdesk}',
        '',
      ].join('\n'),
    });
    cleanup.push(f.remove);
    const { code, report, text } = await check(['--systems', f.systemsFile]);
    expect(code).toBe(1);
    expect(report.checks).toEqual([]);
    expect(report.findings.map((x) => [x.line, x.column, x.message])).toEqual([
      [5, 11, "systems.acme_shop: unknown key 'user'"],
    ]);
    expect(text).toContain(`${f.systemsFile}:5:11: error: systems.acme_shop: unknown key 'user'`);
    // Once the schema holds, the references are checked.
    const g = acmeFolder({
      ombudYaml: ['datasets: ../datasets', 'systems:', '  acme_shop: ${vault:shop}', ''].join('\n'),
    });
    cleanup.push(g.remove);
    const second = await check(['--systems', g.systemsFile]);
    expect(second.code).toBe(1);
    expect(second.report.findings.map((x) => [x.line, x.column, x.message])).toEqual([
      [3, 14, "systems.acme_shop.url: '${vault:shop}' is not a reference."],
    ]);
  });
});
