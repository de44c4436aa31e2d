/**
 * The desk's views: the queue sorted by due date (with due-soon and overdue flags from the core), the
 * figures behind the charts, and the daily digest per assignee. Listing reads no personal data: the
 * queue shows references, companies, types and dates, never the requester's address.
 */
import { type DueStatus, dueStatus } from '../../core/deadlines/deadlines.ts';
import type { MailTemplate } from '../../core/requests/mail-templates.ts';
import { OPEN_STATES, type RequestState, type RequestType } from '../../core/requests/workflow.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { mailOrgOf, normaliseRow, type RequestRow, referenceOf, type RequestDeps } from './store.ts';

export type QueueFilter = { orgId?: string; type?: RequestType; state?: RequestState; open?: boolean };
/** 'awaiting-payment': the clock is paused while a fee is unpaid (src/core/requests/fees.ts). */
export type QueueItem = RequestRow & { reference: string; status: DueStatus | 'closed' | 'awaiting-payment' };

/**
 * The queue the caller may see, narrowed in SQL to `scope` (listScope of requests:read): a company's
 * request when its company is in scope; a group request only when its contact point and every candidate
 * are (requestPolicy: a row of several companies needs the permission in each).
 */
export async function listRequests(
  app: RequestDeps,
  scope: 'all' | readonly string[],
  f: QueueFilter = {},
  limit = 500,
): Promise<QueueItem[]> {
  const where: Sql[] = [];
  if (scope !== 'all') {
    where.push(sql`org_id = ANY(${[...scope]}::text[])`);
    where.push(
      sql`(scope->'group' IS NULL OR scope->'group'->'candidates' <@ ${JSON.stringify(scope)}::jsonb)`,
    );
  }
  if (f.orgId) where.push(sql`org_id = ${f.orgId}`);
  if (f.type) where.push(sql`type = ${f.type}`);
  if (f.state) where.push(sql`state = ${f.state}`);
  if (f.open) where.push(sql`state = ANY(${[...OPEN_STATES]})`);
  const { text, params } = sql`SELECT * FROM dsr_requests ${
    where.length ? sql`WHERE ${sql.join(where, ' AND ')}` : sql.empty
  } ORDER BY due_date, received_at LIMIT ${limit}`.render();
  const rows = await app.db.query<RequestRow>(text, params);
  const r = await app.registers.get();
  const now = app.now();
  return rows.map((raw) => {
    const row = normaliseRow(raw);
    const tz = r?.index.organization(row.org_id)?.timeZone ?? 'Europe/Stockholm';
    return { ...row, reference: referenceOf(row.submission_id), status: queueStatus(row, now, tz) };
  });
}

/** Where a request stands against its due date, as the queue shows it. */
export function queueStatus(row: RequestRow, now: Date, timeZone: string): QueueItem['status'] {
  if (row.state === 'awaiting-payment') return 'awaiting-payment';
  return OPEN_STATES.includes(row.state) ? dueStatus(row.due_date, now, timeZone) : 'closed';
}

export type DeskStats = {
  byType: Record<string, number>;
  byState: Record<string, number>;
  closed: number;
  closedOnTime: number;
  /** Share of closed requests answered by their due date, 0–1; null when none is closed. */
  onTimeRate: number | null;
  /** Median calendar days from receipt to close; null when none is closed. */
  medianDaysToClose: number | null;
};

/** The figures behind the console's charts, over the requests the caller may see (`scope`, as listRequests). */
export async function deskStats(
  app: RequestDeps,
  scope: 'all' | readonly string[],
  orgId?: string,
): Promise<DeskStats> {
  const rows = await listRequests(app, scope, { orgId }, 100_000);
  const byType: Record<string, number> = {};
  const byState: Record<string, number> = {};
  const days: number[] = [];
  let onTime = 0;
  for (const r of rows) {
    byState[r.state] = (byState[r.state] ?? 0) + 1;
    // A group request that was split is counted through the companies' requests it became.
    if (r.state === 'split') continue;
    byType[r.type] = (byType[r.type] ?? 0) + 1;
    if (r.closed_at) {
      const closed = new Date(r.closed_at);
      if (closed.toISOString().slice(0, 10) <= r.due_date) onTime++;
      days.push((closed.getTime() - r.received_at.getTime()) / 86_400_000);
    }
  }
  days.sort((a, b) => a - b);
  const mid = Math.floor(days.length / 2);
  const median = days.length === 0 ? null : days.length % 2 ? days[mid]! : (days[mid - 1]! + days[mid]!) / 2;
  return {
    byType,
    byState,
    closed: days.length,
    closedOnTime: onTime,
    onTimeRate: days.length ? onTime / days.length : null,
    medianDaysToClose: median === null ? null : Math.round(median * 10) / 10,
  };
}

/** Open fulfilment tasks (manual, or a service's answer awaited) per system, every company's. */
export async function openTasksBySystem(app: RequestDeps): Promise<Record<string, number>> {
  const rows = await app.db.query<{ system_id: string; n: string | number }>(
    `SELECT system_id, count(*) AS n FROM fulfilment_recipient_tasks
      WHERE status IN ('open', 'sent', 'unanswered') GROUP BY system_id ORDER BY system_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.system_id, Number(r.n)]));
}

/** The digest's lines of open tasks per system, most first, with where to tick them off. */
function taskLines(tasks: Record<string, number>, base: string): string {
  const list = Object.entries(tasks).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!list.length) return '';
  const total = list.reduce((n, [, c]) => n + c, 0);
  return `\nOpen fulfilment tasks per system (${total} in all), ${base}/console/fulfilment/tasks:\n${list
    .map(([system, n]) => `  ${String(n).padStart(5)}  ${system}`)
    .join('\n')}\n`;
}

/**
 * The daily digest: one mail per assignee (an e-mail address of a console user) listing their open
 * requests that are due soon or overdue, plus one to `fallbackTo` for unassigned ones, which also counts
 * the open fulfilment tasks per system (sent to it when there are tasks even without such requests).
 */
export async function dailyDigest(
  app: RequestDeps,
  opts: { fallbackTo?: string } = {},
): Promise<{ mails: number; tasksBySystem: Record<string, number> }> {
  // Ombud's own run: every company's requests; each mail goes to the person they are assigned to.
  const open = (await listRequests(app, 'all', { open: true }, 100_000)).filter(
    (r) => r.status === 'due-soon' || r.status === 'overdue',
  );
  const groups = new Map<string, QueueItem[]>();
  for (const r of open) {
    const to = r.assignee ?? opts.fallbackTo;
    if (!to) continue;
    groups.set(to, [...(groups.get(to) ?? []), r]);
  }
  const tasksBySystem = await openTasksBySystem(app);
  const tasks = Object.keys(tasksBySystem).length > 0;
  if (opts.fallbackTo && tasks && !groups.has(opts.fallbackTo)) groups.set(opts.fallbackTo, []);
  const base = app.config.publicUrl;
  for (const [to, items] of groups) {
    const lines = items.map(
      (r) =>
        `${r.status === 'overdue' ? 'OVERDUE ' : 'due soon'} ${r.due_date}  ${r.reference}  ${r.org_id}  ${r.type}  ${base}/console/requests/${r.id}`,
    );
    const withTasks = to === opts.fallbackTo && tasks;
    const template: MailTemplate | 'digest' = 'digest';
    const orgs = new Set(items.map(mailOrgOf));
    await enqueueMail(
      app.db,
      {
        to,
        template,
        lang: 'en',
        subject: `Ombud: ${items.filter((i) => i.status === 'overdue').length} overdue, ${items.filter((i) => i.status === 'due-soon').length} due soon${withTasks ? `, ${Object.values(tasksBySystem).reduce((a, b) => a + b, 0)} open tasks` : ''}`,
        body: `${lines.join('\n')}\n${withTasks ? taskLines(tasksBySystem, base) : ''}`,
        // One company's requests: its mail; several companies' (or a group request, or the tasks): the group's.
        orgId: orgs.size === 1 && !withTasks ? mailOrgOf(items[0]!) : null,
      },
      app.now(),
    );
  }
  return { mails: groups.size, tasksBySystem };
}
