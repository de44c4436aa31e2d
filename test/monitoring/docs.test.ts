/**
 * The monitoring docs hold to what /metrics serves: every Ombud series a scrape declares is described in
 * docs/monitoring.md, and the example alert rules and dashboard ask only for series that exist. The rule
 * file has the shape Prometheus (promtool) reads: groups of rules with an alert, an expression, a severity
 * and a summary. The alerts the issue asks for (overdue requests, failing webhooks, a stale audit
 * verification, failed retention runs) are named here by hand.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from '../support/server.ts';

const read = (p: string) => readFileSync(new URL(`../../docs/${p}`, import.meta.url), 'utf8');

let t: TestServer;
let declared: string[];
beforeAll(async () => {
  t = await startTestServer();
  const body = (await t.server.inject('/metrics')).body;
  declared = [...body.matchAll(/^# TYPE (ombud_\w+) /gm)].map((m) => m[1]!);
}, 120_000);
afterAll(() => t?.close());

/** The Ombud series an expression asks for (a histogram's _bucket, _sum and _count are its own). */
const seriesIn = (expr: string) =>
  [...expr.matchAll(/\bombud_\w+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));

type Rule = {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: Record<string, string>;
};

test('every series /metrics declares is described in docs/monitoring.md', () => {
  // Counted by hand from src/http/metrics.ts: 2 HTTP, 1 collection, 1 queue, 2 request, 3 webhook, 7 retention, 3 audit.
  expect(declared).toHaveLength(19);
  const doc = read('monitoring.md');
  expect(declared.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
});

test('the alert rules: the shape Prometheus reads, only series that exist, the alerts asked for', () => {
  const file = parse(read('monitoring/ombud-alerts.yml')) as { groups: { name: string; rules: Rule[] }[] };
  const rules = file.groups.flatMap((g) => g.rules);
  for (const r of rules) {
    expect(
      Object.keys(r).filter((k) => !['alert', 'expr', 'for', 'labels', 'annotations'].includes(k)),
    ).toEqual([]);
    expect(r.alert).toMatch(/^Ombud[A-Z]\w+$/);
    expect(['critical', 'warning']).toContain(r.labels.severity);
    expect(r.annotations.summary).toBeTruthy();
    if (r.for) expect(r.for).toMatch(/^\d+[smh]$/);
    expect(
      seriesIn(r.expr).filter((s) => !declared.includes(s)),
      r.alert,
    ).toEqual([]);
  }
  expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  const by = Object.fromEntries(rules.map((r) => [r.alert, r.expr]));
  expect(by.OmbudRequestsOverdue).toContain('ombud_requests_open{due="overdue"}');
  expect(by.OmbudWebhooksFailing).toContain('ombud_webhook_deliveries_failing');
  expect(by.OmbudAuditVerificationStale).toContain('ombud_audit_last_verification_timestamp_seconds');
  expect(by.OmbudRetentionRunFailed).toContain('ombud_retention_last_run_failed');
  // Each alert is in the doc's table.
  const doc = read('monitoring.md');
  expect(rules.map((r) => r.alert).filter((a) => !doc.includes(`\`${a}\``))).toEqual([]);
});

test('the dashboard: Grafana JSON whose panels ask only for series that exist', () => {
  const dash = JSON.parse(read('monitoring/ombud-dashboard.json')) as {
    title: string;
    panels: { title: string; targets: { expr: string }[] }[];
  };
  expect(dash.title).toBe('Ombud');
  expect(dash.panels.length).toBeGreaterThanOrEqual(10);
  const asked = dash.panels.flatMap((p) => p.targets.flatMap((x) => seriesIn(x.expr)));
  expect([...new Set(asked.filter((s) => !declared.includes(s)))]).toEqual([]);
  // The headline figures are there.
  expect(asked).toEqual(
    expect.arrayContaining(['ombud_requests_open', 'ombud_webhook_deliveries', 'ombud_queue_jobs']),
  );
});
