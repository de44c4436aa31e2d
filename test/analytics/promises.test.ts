/**
 * Analytics without identities, end to end on the real databases (issue #14 item 5): the demo web shop on the
 * PostgreSQL server (and once on MariaDB), Ombud's own database on the PostgreSQL server, the demo register's
 * analytics exports, consent recorded through the consent register's own use cases.
 *
 * The rows each test reads are written by the test itself (hand-written tables below, over real customers of
 * the seed), so every expected figure is counted by hand from them, never by the code under test.
 *
 * P13, P42: a cell under k is suppressed, and cannot be worked out from the published cells and totals (an
 *   attacker's brute force over the published equations finds more than one value for every hidden figure);
 *   an objecting and a restricted customer are left out.
 * P38, P42: opens and clicks (channel behaviour) only of subscribers with both the communication consent and
 *   the cookie consent; a withdrawn consent takes the subscriber out.
 * P23: pseudonymised rows: no direct identifier, free text or exact time in any file; the keyed pseudonym is
 *   stable within a series and changes with a new one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../src/core/policies/permissions.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { setSubjectRestricted } from '../../src/services/consent/restrictSubject.ts';
import { runAnalyticsExport } from '../../src/services/analytics/runExport.ts';
import type { AnalyticsDeps } from '../../src/services/analytics/store.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import { type NestitSystems, nestitSystems } from '../support/nestit-systems.ts';

const ORG = 'nestit-sverige';
const NOW = new Date('2026-11-25T10:00:00Z');
const caller = { principal: SYSTEM_PRINCIPAL, actor: SYSTEM_ACTOR };

type Customer = { id: number; customer_number: string; email: string; first_name: string; last_name: string };

async function swedishCustomers(s: NestitSystems): Promise<Customer[]> {
  return s.webshop.connector.query<Customer>(
    `SELECT id, customer_number, email, first_name, last_name FROM customers WHERE country = 'SE' ORDER BY id`,
  );
}

/**
 * The attacker: every published figure (the `rows` of cells and totals) as the equations of the table, the
 * hidden ones as unknowns in 0..grand, searched exhaustively. Returns each hidden record's possible values.
 * Written here, apart from the suppression code, from what a reader of the file knows.
 */
function possibleValues(
  records: Record<string, unknown>[],
  d1: string,
  d2: string,
): Map<string, Set<number>> {
  const keyOf = (r: Record<string, unknown>) => `${r[d1]}|${r[d2]}`;
  const byKey = new Map(records.map((r) => [keyOf(r), r]));
  const rowsOf = [...new Set(records.map((r) => String(r[d1])).filter((v) => v !== '*'))];
  const colsOf = [...new Set(records.map((r) => String(r[d2])).filter((v) => v !== '*'))];
  const lines: { members: string[]; total: string }[] = [
    ...rowsOf.map((a) => ({ members: colsOf.map((b) => `${a}|${b}`), total: `${a}|*` })),
    ...colsOf.map((b) => ({ members: rowsOf.map((a) => `${a}|${b}`), total: `*|${b}` })),
    { members: rowsOf.map((a) => `${a}|*`), total: '*|*' },
    { members: colsOf.map((b) => `*|${b}`), total: '*|*' },
  ];
  const hidden = records.filter((r) => r.suppressed !== null).map(keyOf);
  const value = (k: string, guess: Map<string, number>) =>
    guess.has(k) ? guess.get(k)! : byKey.has(k) ? Number(byKey.get(k)!.rows) : 0;
  const max = Math.max(...records.filter((r) => r.rows !== null).map((r) => Number(r.rows)));
  const out = new Map(hidden.map((h) => [h, new Set<number>()]));
  const guess = new Map<string, number>();
  const search = (i: number) => {
    if (i === hidden.length) {
      const ok = lines.every(
        (l) => l.members.reduce((s, m) => s + value(m, guess), 0) === value(l.total, guess),
      );
      if (ok) for (const h of hidden) out.get(h)!.add(guess.get(h)!);
      return;
    }
    for (let v = 0; v <= max; v++) {
      guess.set(hidden[i]!, v);
      search(i + 1);
    }
    guess.delete(hidden[i]!);
  };
  search(0);
  return out;
}

describe('analytics exports on the real databases (P13, P23, P38, P42)', () => {
  let s: NestitSystems;
  let db: Db;
  let deps: AnalyticsDeps;
  let se: Customer[];

  beforeAll(async () => {
    s = await nestitSystems({ customers: 200 });
    db = await freshDb('postgres');
    deps = {
      db,
      index: s.index,
      datasets: s.datasets,
      connectors: s.connectors,
      secret: 'analytics-test-secret',
      now: () => NOW,
    };
    se = await swedishCustomers(s);
    expect(se.length).toBeGreaterThanOrEqual(45);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await s?.close();
  });

  const keys = () => consentKeys(db, deps.secret);
  const consent = async (
    c: Customer,
    purposeId: string,
    channel: string,
    kind: 'grant' | 'withdraw' | 'object',
    at = NOW,
  ) =>
    recordConsentEvent(
      db,
      SYSTEM_ACTOR,
      await keys(),
      s.index,
      {
        orgId: ORG,
        identity: { email: c.email },
        purposeId,
        channel,
        kind,
        source: purposeId === 'customer-analyses' ? 'cookie-banner' : 'preference-center',
        wording: kind === 'grant' ? 'Yes, please.' : undefined,
        at,
      },
      NOW,
    );

  test('P13 P42: a cell under k is suppressed and cannot be derived from the totals; objecting and restricted customers are left out', async () => {
    const w = s.webshop.connector;
    await w.execute('DELETE FROM order_analytics');
    // The hand-written table (Swedish customers by position): one row per customer, 2 items for 100.00 each.
    //   SOFA-01: customers 0–11 (12) and 39, who objects    LAMP-07: 12–23 (12) and 40, who is restricted
    //   RUG-12:  24–26 (3, under k = 10)                    MUG-22:  27–37 (11, the fewest above k)
    const product = (i: number) =>
      i <= 11 || i === 39 ? 'SOFA-01' : i <= 23 || i === 40 ? 'LAMP-07' : i <= 26 ? 'RUG-12' : 'MUG-22';
    for (let i = 0; i <= 40; i++) {
      if (i === 38) continue;
      await w.execute(
        `INSERT INTO order_analytics (id, customer_number, country, product_sku, items, total_cents, collected_at)
         VALUES ($1, $2, 'SE', $3, 2, 10000, '2026-10-14 09:30:00')`,
        [9000 + i, se[i]!.customer_number, product(i)],
      );
    }
    await consent(se[39]!, 'customer-analyses', '*', 'object');
    await setSubjectRestricted(db, SYSTEM_ACTOR, await keys(), s.index, {
      orgId: ORG,
      identity: { email: se[40]!.email },
      restricted: true,
    });

    const r = await runAnalyticsExport(deps, caller, {
      orgId: ORG,
      purposeId: 'customer-analyses',
      exportId: 'orders-by-country-and-product',
      format: 'json',
    });
    const file = JSON.parse(r.body) as {
      guarantee: Record<string, unknown>;
      records: Record<string, unknown>[];
    };
    const pick = (country: string, product: string) =>
      file.records.find((x) => x.country === country && x.product === product)!;
    const published = (subjects: number) => ({
      subjects,
      rows: subjects,
      total_cents: subjects * 10000,
      avg_items: 2,
      suppressed: null,
    });
    const hidden = (why: string) => ({
      subjects: null,
      rows: null,
      total_cents: null,
      avg_items: null,
      suppressed: why,
    });
    // Expected, by hand: RUG-12 (3) under k, in its cell and its column total (which equals it); in the row,
    // MUG-22 (11, the fewest of the rest) hidden with it, and its column total with it.
    expect(pick('SE', 'RUG-12')).toMatchObject(hidden('below-k'));
    expect(pick('*', 'RUG-12')).toMatchObject(hidden('below-k'));
    expect(pick('SE', 'MUG-22')).toMatchObject(hidden('complementary'));
    expect(pick('*', 'MUG-22')).toMatchObject(hidden('complementary'));
    // The objector (39) is not in SOFA-01, the restricted customer (40) not in LAMP-07.
    expect(pick('SE', 'SOFA-01')).toMatchObject(published(12));
    expect(pick('SE', 'LAMP-07')).toMatchObject(published(12));
    expect(pick('*', 'SOFA-01')).toMatchObject(published(12));
    expect(pick('*', 'LAMP-07')).toMatchObject(published(12));
    expect(pick('SE', '*')).toMatchObject(published(38));
    expect(pick('*', '*')).toMatchObject(published(38));
    expect(file.records).toHaveLength(4 + 1 + 4 + 1);
    expect(file.guarantee).toMatchObject({
      kind: 'aggregate',
      k: 10,
      suppressed: { primary: 2, complementary: 2 },
      subjects: { restricted: 1, objected: 1, noConsent: 0, consented: null },
    });

    // Without the complementary cell the hidden one would be the row total minus the rest: 38 − 12 − 12 − 11 = 3.
    // With it, every hidden figure has more than one value consistent with everything published.
    const possible = possibleValues(file.records, 'country', 'product');
    expect([...possible.keys()].sort()).toEqual(['*|MUG-22', '*|RUG-12', 'SE|MUG-22', 'SE|RUG-12']);
    for (const [k, values] of possible) {
      expect(values.size, k).toBeGreaterThan(1);
      expect(values.has(k.endsWith('RUG-12') ? 3 : 11), k).toBe(true);
    }

    // The same export as CSV: the same records, the same hidden cells.
    const csv = await runAnalyticsExport(deps, caller, {
      orgId: ORG,
      purposeId: 'customer-analyses',
      exportId: 'orders-by-country-and-product',
      format: 'csv',
    });
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('country,product,subjects,rows,total_cents,avg_items,suppressed');
    expect(lines).toContain('SE,RUG-12,,,,,below-k');
    expect(lines).toContain('SE,MUG-22,,,,,complementary');
    expect(lines).toContain('SE,LAMP-07,12,12,120000,2,');
    expect(lines).toContain('*,*,38,38,380000,2,');

    // Recorded with its guarantee, and audited.
    const [stored] = await db.query<{
      k: number;
      suppressed_primary: number;
      suppressed_complementary: number;
    }>('SELECT k, suppressed_primary, suppressed_complementary FROM analytics_exports WHERE id = $1', [
      r.export.id,
    ]);
    expect(stored).toEqual({ k: 10, suppressed_primary: 2, suppressed_complementary: 2 });
    const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target = $1`, [
      `analytics-export:${r.export.id}`,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['analytics.export']);
  });

  test('P38 P42: opens and clicks only of subscribers with both the communication and the cookie consent', async () => {
    const w = s.webshop.connector;
    await w.execute('DELETE FROM newsletter_events');
    // Swedish customers 0–14 (hand-written): all opened the November newsletter; 0–9 and 12–14 clicked.
    //   0–10: communication (e-mail) and cookie consent       → in
    //   11:   both, then withdrew the e-mail consent           → out
    //   12:   the e-mail consent only                          → out
    //   13:   the cookie consent only                          → out
    //   14:   no consent at all                                → out
    const c = se.slice(0, 15);
    let id = 7000;
    for (const [i, x] of c.entries()) {
      await w.execute(
        `INSERT INTO newsletter_events (id, email, campaign, event, occurred_at) VALUES ($1, $2, 'nov', 'open', '2026-11-03 08:00:00')`,
        [id++, x.email],
      );
      if (i <= 9 || i >= 12)
        await w.execute(
          `INSERT INTO newsletter_events (id, email, campaign, event, occurred_at) VALUES ($1, $2, 'nov', 'click', '2026-11-03 08:01:00')`,
          [id++, x.email],
        );
    }
    const earlier = new Date(NOW.getTime() - 86_400_000);
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
      await consent(c[i]!, 'communication-subscription', 'email', 'grant', earlier);
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13])
      await consent(c[i]!, 'customer-analyses', 'cookie', 'grant', earlier);
    await consent(c[11]!, 'communication-subscription', 'email', 'withdraw');

    for (const [purposeId, exportId] of [
      ['communication-subscription', 'opens-and-clicks'],
      ['customer-analyses', 'newsletter-behaviour'],
    ] as const) {
      const r = await runAnalyticsExport(deps, caller, { orgId: ORG, purposeId, exportId, format: 'json' });
      const file = JSON.parse(r.body) as {
        guarantee: Record<string, unknown>;
        records: Record<string, unknown>[];
      };
      const rec = (campaign: string, event: string) =>
        file.records.find((x) => x.campaign === campaign && x.event === event);
      // By hand: opens of 0–10 (11), clicks of 0–9 (10); nobody else's.
      expect(rec('nov', 'open'), exportId).toMatchObject({ subjects: 11, rows: 11, suppressed: null });
      expect(rec('nov', 'click'), exportId).toMatchObject({ subjects: 10, rows: 10, suppressed: null });
      expect(rec('nov', '*'), exportId).toMatchObject({ subjects: 11, rows: 21, suppressed: null });
      expect(rec('*', '*'), exportId).toMatchObject({ subjects: 11, rows: 21, suppressed: null });
      // Left out by the consent register: 11, 12, 13, and for the communication export also the customer who
      // objected to customer analyses (39, who never gave the e-mail consent); the restricted customer (40).
      expect(file.guarantee.subjects, exportId).toEqual(
        exportId === 'opens-and-clicks'
          ? { restricted: 1, objected: 0, noConsent: 4, consented: 11 }
          : { restricted: 1, objected: 1, noConsent: 3, consented: 11 },
      );
    }
  });

  test('P23: pseudonymised rows hold no direct identifier, free text or exact time; the pseudonym is stable within a series', async () => {
    const w = s.webshop.connector;
    const ids = await w.query<{ n: number }>('SELECT COUNT(*) AS n FROM order_analytics');
    expect(Number(ids[0]!.n)).toBeGreaterThan(0);
    const run = (format: 'csv' | 'json', newSeries = false) =>
      runAnalyticsExport(deps, caller, {
        orgId: ORG,
        purposeId: 'customer-analyses',
        exportId: 'order-rows',
        format,
        newSeries,
      });
    const a = await run('json');
    const b = await run('json');
    const csv = await run('csv');
    type Row = {
      subject: string;
      country: string;
      product: string;
      items: number;
      total_cents: number;
      month: string;
    };
    const rowsA = (JSON.parse(a.body) as { records: Row[] }).records;
    const rowsB = (JSON.parse(b.body) as { records: Row[] }).records;
    // The hand-written rows of the first test: 40 rows, less the objector's and the restricted customer's.
    expect(rowsA).toHaveLength(38);
    expect(Object.keys(rowsA[0]!)).toEqual([
      'subject',
      'country',
      'product',
      'items',
      'total_cents',
      'month',
    ]);
    expect(new Set(rowsA.map((r) => r.month))).toEqual(new Set(['2026-10']));
    expect(rowsA.every((r) => /^[0-9a-f]{32}$/.test(r.subject))).toBe(true);
    // One customer, one pseudonym; the same in the next export of the series.
    expect(new Set(rowsA.map((r) => r.subject)).size).toBe(38);
    expect(rowsB.map((r) => r.subject)).toEqual(rowsA.map((r) => r.subject));
    expect(a.export.seriesId).toBe(b.export.seriesId);
    // A new series: new pseudonyms, none shared with the old one.
    const c = await run('json', true);
    const rowsC = (JSON.parse(c.body) as { records: Row[] }).records;
    expect(c.export.seriesId).not.toBe(a.export.seriesId);
    const old = new Set(rowsA.map((r) => r.subject));
    expect(rowsC.filter((r) => old.has(r.subject))).toEqual([]);

    // No file holds any customer's e-mail address, customer number, name or internal id.
    const customers = await w.query<Customer>(
      'SELECT id, customer_number, email, first_name, last_name FROM customers',
    );
    for (const body of [a.body, csv.body, c.body]) {
      for (const x of customers) {
        expect(body.includes(x.email)).toBe(false);
        expect(body.includes(x.customer_number)).toBe(false);
        expect(body.includes(`${x.first_name} ${x.last_name}`)).toBe(false);
      }
      expect(body).not.toMatch(/2026-10-14/);
      expect(body).not.toMatch(/09:30/);
    }
    expect(csv.body.split('\r\n')[0]).toBe('subject,country,product,items,total_cents,month');

    // Survey scores: the free-text comment never leaves, the answer time only as its month.
    const survey = await runAnalyticsExport(deps, caller, {
      orgId: ORG,
      purposeId: 'surveys',
      exportId: 'scores-by-survey-and-month',
      format: 'csv',
    });
    expect(survey.body.split('\r\n')[0]).toBe('survey,month,subjects,rows,avg_score,suppressed');
    const comments = await w.query<{ comment: string }>(
      `SELECT DISTINCT comment FROM survey_answers WHERE comment IS NOT NULL`,
    );
    expect(comments.length).toBeGreaterThan(0);
    for (const { comment } of comments) expect(survey.body.includes(comment)).toBe(false);
    for (const line of survey.body.trim().split('\r\n').slice(1))
      expect(line.split(',')[1]).toMatch(/^(\d{4}-\d{2}|\*)$/);
  });
});
