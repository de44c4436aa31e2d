/**
 * The figures /metrics reports from the database (src/http/metrics.ts turns them into Prometheus series):
 * the background queues (pg-boss's job table), the request desk (by state; open ones against their due
 * date with the desk's own rule, `queueStatus`), consent propagation (webhook deliveries), retention runs
 * and tasks, and the audit chain's last verification. Counts, ids of companies, systems and rules, and
 * times only: no personal data. Read in a handful of grouped queries, so a scrape is cheap; the caller
 * caches them for a few seconds.
 */
import { OPEN_STATES } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import { lastVerification } from '../audit/lastVerification.ts';
import { FULFILMENT_QUEUE } from '../fulfilment/queue.ts';
import { dateCol, type RequestDeps } from '../requests/store.ts';
import { dueStatus } from '../../core/deadlines/deadlines.ts';
import { controllerTimeZone } from '../retention/runRetention.ts';
import { RETENTION_QUEUE } from '../retention/worker.ts';
import { localDate } from '../../core/deadlines/iso-date.ts';

/** What the figures need of the App (an App is one). */
export type FiguresHost = Pick<RequestDeps, 'db' | 'now' | 'registers' | 'log' | 'config'>;

/**
 * The pg-boss queues Ombud runs; each is reported (with zeros) even before its first job. Webhook
 * deliveries are not among them: their queue is the outbox, reported as `webhooks` below.
 */
export const QUEUES = [FULFILMENT_QUEUE, RETENTION_QUEUE] as const;
export const QUEUE_STATES = ['queued', 'active', 'failed'] as const;
/** Where an open request stands against its due date (the desk's statuses). */
export const DUE_STATUSES = ['on-track', 'due-soon', 'overdue', 'awaiting-payment'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;

export type Figures = {
  queues: { queue: string; state: (typeof QUEUE_STATES)[number]; jobs: number }[];
  requests: { organization: string; state: string; count: number }[];
  openRequests: { organization: string; due: (typeof DUE_STATUSES)[number]; count: number }[];
  webhooks: {
    deliveries: { organization: string; status: string; count: number }[];
    /** Pending deliveries whose last attempt failed (being retried). */
    failing: { organization: string; count: number }[];
    /** Seconds the oldest pending delivery has waited (0: none pending). */
    oldestPendingSeconds: number;
  };
  retention: {
    /** The latest run that is not a dry run (null: none yet). */
    lastRun: { at: Date; failed: boolean } | null;
    /** When the latest successful (done) run finished (null: none). */
    lastSuccessAt: Date | null;
    /** Rows per system, rule and action of the latest successful run. */
    rows: { system: string; rule: string; action: string; rows: number }[];
    /** What failed in the latest run: a database's step (rule '*') or an outside system asked per rule. */
    failures: { system: string; rule: string; count: number }[];
    tasksOpen: number;
    tasksOverdue: number;
  };
  audit: {
    lastVerification: { at: Date; ok: boolean } | null;
    lastCheckpointAt: Date | null;
  };
};

const num = (v: unknown) => Number(v ?? 0);
const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export async function gatherFigures(host: FiguresHost): Promise<Figures> {
  return {
    queues: await queueFigures(host.db),
    ...(await requestFigures(host)),
    webhooks: await webhookFigures(host.db),
    retention: await retentionFigures(host),
    audit: await auditFigures(host.db),
  };
}

/** pg-boss's jobs per queue and state: created and retry are queued. Nothing before pg-boss is installed. */
async function queueFigures(db: Db): Promise<Figures['queues']> {
  const out = new Map<string, number>();
  for (const q of QUEUES) for (const s of QUEUE_STATES) out.set(`${q}\0${s}`, 0);
  const [installed] = await db.query<{ t: string | null }>("SELECT to_regclass('pgboss.job')::text AS t");
  if (installed?.t) {
    const rows = await db.query<{ name: string; state: string; n: string | number }>(
      `SELECT name, state::text AS state, count(*) AS n FROM pgboss.job
        WHERE state IN ('created', 'retry', 'active', 'failed') GROUP BY name, state`,
    );
    for (const r of rows) {
      const state = r.state === 'created' || r.state === 'retry' ? 'queued' : r.state;
      const key = `${r.name}\0${state}`;
      out.set(key, (out.get(key) ?? 0) + num(r.n));
    }
  }
  return [...out].map(([k, jobs]) => {
    const [queue, state] = k.split('\0') as [string, (typeof QUEUE_STATES)[number]];
    return { queue, state, jobs };
  });
}

/** Requests by company and state; the open ones by where they stand against their due date (the desk's rule). */
async function requestFigures(host: FiguresHost): Promise<Pick<Figures, 'requests' | 'openRequests'>> {
  const rows = await host.db.query<{ org_id: string; state: string; n: string | number }>(
    'SELECT org_id, state, count(*) AS n FROM dsr_requests GROUP BY org_id, state ORDER BY org_id, state',
  );
  // Open requests counted per company and due date in the database (a few hundred groups however many
  // requests are open), then placed against the due date with the desk's rule in the company's time zone.
  const open = await host.db.query<{
    org_id: string;
    due_date: unknown;
    paying: boolean;
    n: string | number;
  }>(
    `SELECT org_id, due_date, state = 'awaiting-payment' AS paying, count(*) AS n FROM dsr_requests
      WHERE state = ANY($1::text[]) GROUP BY org_id, due_date, state = 'awaiting-payment'`,
    [[...OPEN_STATES]],
  );
  const reg = await host.registers.get();
  const now = host.now();
  const due = new Map<string, number>();
  for (const r of open) {
    const zone = reg?.index.organization(r.org_id)?.timeZone ?? 'Europe/Stockholm';
    const status = r.paying ? 'awaiting-payment' : dueStatus(dateCol(r.due_date), now, zone);
    const key = `${r.org_id}\0${status}`;
    due.set(key, (due.get(key) ?? 0) + num(r.n));
  }
  const orgs = new Set(rows.filter((r) => OPEN_STATES.includes(r.state as never)).map((r) => r.org_id));
  return {
    requests: rows.map((r) => ({ organization: r.org_id, state: r.state, count: num(r.n) })),
    openRequests: [...orgs].flatMap((organization) =>
      DUE_STATUSES.map((d) => ({ organization, due: d, count: due.get(`${organization}\0${d}`) ?? 0 })),
    ),
  };
}

async function webhookFigures(db: Db): Promise<Figures['webhooks']> {
  const rows = await db.query<{
    org_id: string;
    status: string;
    n: string | number;
    failing: string | number;
  }>(
    `SELECT org_id, status, count(*) AS n, count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS failing
       FROM webhook_deliveries GROUP BY org_id, status ORDER BY org_id, status`,
  );
  // Both times are the database's (created_at defaults to its now()), so they are compared there.
  const [oldest] = await db.query<{ s: string | number | null }>(
    `SELECT extract(epoch FROM now() - min(created_at)) AS s FROM webhook_deliveries WHERE status = 'pending'`,
  );
  const failing = new Map<string, number>();
  for (const r of rows) failing.set(r.org_id, (failing.get(r.org_id) ?? 0) + num(r.failing));
  return {
    deliveries: rows.map((r) => ({ organization: r.org_id, status: r.status, count: num(r.n) })),
    failing: [...failing].map(([organization, count]) => ({ organization, count })),
    oldestPendingSeconds: Math.max(0, Math.round(num(oldest?.s))),
  };
}

async function retentionFigures(host: FiguresHost): Promise<Figures['retention']> {
  const db = host.db;
  const [last] = await db.query<{ id: string; status: string; updated_at: string | Date }>(
    `SELECT id, status, updated_at FROM retention_runs WHERE NOT dry_run ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  const [done] = await db.query<{ id: string; finished_at: string | Date | null }>(
    `SELECT id, finished_at FROM retention_runs WHERE NOT dry_run AND status = 'done'
      ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1`,
  );
  const rows = done
    ? await db.query<{ system: string; rule: string; action: string; n: string | number }>(
        `SELECT system, rule, action, sum(row_count) AS n FROM retention_outcomes WHERE run_id = $1
          GROUP BY system, rule, action
         UNION ALL
         SELECT system, rule, 'delete', sum(deleted) FROM retention_requests
          WHERE run_id = $1 AND status = 'done' AND deleted > 0 GROUP BY system, rule
         UNION ALL
         SELECT system, rule, 'anonymise', sum(anonymised) FROM retention_requests
          WHERE run_id = $1 AND status = 'done' AND anonymised > 0 GROUP BY system, rule
         ORDER BY 1, 2, 3`,
        [done.id],
      )
    : [];
  const failures = last
    ? await db.query<{ system: string; rule: string; n: string | number }>(
        `SELECT system, '*' AS rule, count(*) AS n FROM retention_steps WHERE run_id = $1 AND status = 'failed'
          GROUP BY system
         UNION ALL
         SELECT system, rule, count(*) FROM retention_requests WHERE run_id = $1 AND status = 'failed'
          GROUP BY system, rule
         ORDER BY 1, 2`,
        [last.id],
      )
    : [];
  // Manual tasks are due by the controller's day (as /console/retention marks them overdue).
  const reg = await host.registers.get();
  const today = localDate(host.now(), reg ? controllerTimeZone(reg.index) : 'Europe/Stockholm');
  const [tasks] = await db.query<{ open: string | number; overdue: string | number }>(
    `SELECT count(*) AS open, count(*) FILTER (WHERE due_on < $1::date) AS overdue
       FROM retention_tasks WHERE status = 'open'`,
    [today],
  );
  return {
    lastRun: last ? { at: new Date(last.updated_at), failed: last.status === 'failed' } : null,
    lastSuccessAt: dateOrNull(done?.finished_at),
    rows: rows.map((r) => ({ system: r.system, rule: r.rule, action: r.action, rows: num(r.n) })),
    failures: failures.map((r) => ({ system: r.system, rule: r.rule, count: num(r.n) })),
    tasksOpen: num(tasks?.open),
    tasksOverdue: num(tasks?.overdue),
  };
}

async function auditFigures(db: Db): Promise<Figures['audit']> {
  const v = await lastVerification(db);
  const [cp] = await db.query<{ at: string | Date | null }>('SELECT max(at) AS at FROM audit_checkpoints');
  return {
    lastVerification: v ? { at: new Date(v.at), ok: v.ok } : null,
    lastCheckpointAt: dateOrNull(cp?.at),
  };
}
