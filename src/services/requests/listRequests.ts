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
import { dateCol, mailOrgOf, normaliseRow, type RequestRow, referenceOf, type RequestDeps } from './store.ts';

export type QueueFilter = { orgId?: string; type?: RequestType; state?: RequestState; open?: boolean };
/** 'awaiting-payment': the clock is paused while a fee is unpaid (src/core/requests/fees.ts). */
export type QueueItem = RequestRow & { reference: string; status: DueStatus | 'closed' | 'awaiting-payment' };

/** The conditions of the caller's scope and the filter, shared by the queue and the figures. */
function whereOf(scope: 'all' | readonly string[], f: QueueFilter): Sql[] {
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
  return where;
}

const whereSql = (where: Sql[]) => (where.length ? sql`WHERE ${sql.join(where, ' AND ')}` : sql.empty);

/**
 * Where a page of the queue ends: the sort key of its last row (due date, received at as the database
 * writes it, id), opaque in a URL. The next page starts after it (keyset paging: only the rows shown are
 * read, however deep the page).
 */
export type QueueCursor = { due: string; received: string; id: string };

export const encodeCursor = (c: QueueCursor) =>
  Buffer.from(JSON.stringify([c.due, c.received, c.id])).toString('base64url');

/** A cursor from a URL, or undefined when it is not one of ours. */
export function decodeCursor(text: string | undefined): QueueCursor | undefined {
  if (!text) return undefined;
  try {
    const [due, received, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as string[];
    const ok =
      /^\d{4}-\d{2}-\d{2}$/.test(due ?? '') &&
      !Number.isNaN(new Date(received ?? '').getTime()) &&
      /^[0-9a-f-]{36}$/.test(id ?? '');
    return ok ? { due: due!, received: received!, id: id! } : undefined;
  } catch {
    return undefined;
  }
}

type Raw = RequestRow & { received_key: string };

function itemOf(raw: Raw, now: Date, zone: (org: string) => string): QueueItem {
  const { received_key: _k, ...rest } = raw;
  const row = normaliseRow(rest as RequestRow);
  return {
    ...row,
    reference: referenceOf(row.submission_id),
    status: queueStatus(row, now, zone(row.org_id)),
  };
}

/** One page of the queue by due date, and the cursor of the next page when there is one. */
export async function queuePage(
  app: RequestDeps,
  scope: 'all' | readonly string[],
  f: QueueFilter = {},
  page: { after?: QueueCursor; size: number } = { size: 50 },
): Promise<{ rows: QueueItem[]; next?: QueueCursor }> {
  const where = whereOf(scope, f);
  const a = page.after;
  if (a)
    where.push(
      sql`(due_date, received_at, id) > (${a.due}::date, ${a.received}::timestamptz, ${a.id}::uuid)`,
    );
  const { text, params } = sql`SELECT *, received_at::text AS received_key FROM dsr_requests ${whereSql(
    where,
  )} ORDER BY due_date, received_at, id LIMIT ${page.size + 1}`.render();
  const raws = await app.db.query<Raw>(text, params);
  const r = await app.registers.get();
  const now = app.now();
  const zone = (org: string) => r?.index.organization(org)?.timeZone ?? 'Europe/Stockholm';
  const shown = raws.slice(0, page.size);
  const last = shown.at(-1);
  const next =
    raws.length > page.size && last
      ? { due: dateCol(last.due_date), received: last.received_key, id: last.id }
      : undefined;
  return { rows: shown.map((x) => itemOf(x, now, zone)), next };
}

/**
 * The queue the caller may see, narrowed in SQL to `scope` (listScope of requests:read): a company's
 * request when its company is in scope; a group request only when its contact point and every candidate
 * are (requestPolicy: a row of several companies needs the permission in each). The first `limit`.
 */
export async function listRequests(
  app: RequestDeps,
  scope: 'all' | readonly string[],
  f: QueueFilter = {},
  limit = 500,
): Promise<QueueItem[]> {
  return (await queuePage(app, scope, f, { size: limit })).rows;
}

/** Where a request stands against its due date, as the queue shows it. */
export function queueStatus(row: RequestRow, now: Date, timeZone: string): QueueItem['status'] {
  if (row.state === 'awaiting-payment') return 'awaiting-payment';
  return OPEN_STATES.includes(row.state) ? dueStatus(row.due_date, now, timeZone) : 'closed';
}

export type DeskStats = {
  /** Each request once: split group requests are counted through their companies' requests. */
  byType: Record<string, number>;
  byState: Record<string, number>;
  /** Group requests split into companies' requests, counted apart. */
  groupRequests: number;
  closed: number;
  closedOnTime: number;
  /** Share of closed requests answered by their due date, 0–1; null when none is closed. */
  onTimeRate: number | null;
  /** Median calendar days from receipt to close; null when none is closed. */
  medianDaysToClose: number | null;
};

/**
 * The figures behind the console's charts, over the requests the caller may see (`scope`, as listRequests),
 * counted in the database. Each request is counted once: a group request that was split is counted through
 * the companies' requests it became, and apart as `groupRequests`; so "by type" and "by state" add up to
 * the same number.
 */
export async function deskStats(
  app: RequestDeps,
  scope: 'all' | readonly string[],
  orgId?: string,
): Promise<DeskStats> {
  const where = whereOf(scope, { orgId });
  // One pass for the counts (by type and state, closed, on time), one for the median.
  const countQ = sql`SELECT type, state, count(*) AS n, count(closed_at) AS closed,
      count(*) FILTER (WHERE (closed_at AT TIME ZONE 'UTC')::date <= due_date) AS on_time
    FROM dsr_requests ${whereSql(where)} GROUP BY type, state`.render();
  const medianQ =
    sql`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - received_at) / 86400) AS median
    FROM dsr_requests ${whereSql([...where, sql`state <> 'split'`, sql`closed_at IS NOT NULL`])}`.render();
  type N = string | number;
  const rows = await app.db.query<{ type: string; state: string; n: N; closed: N; on_time: N }>(
    countQ.text,
    countQ.params,
  );
  const [m] = await app.db.query<{ median: N | null }>(medianQ.text, medianQ.params);
  const byType: Record<string, number> = {};
  const byState: Record<string, number> = {};
  let groupRequests = 0;
  let closed = 0;
  let onTime = 0;
  for (const r of rows) {
    if (r.state === 'split') {
      groupRequests += Number(r.n);
      continue;
    }
    byType[r.type] = (byType[r.type] ?? 0) + Number(r.n);
    byState[r.state] = (byState[r.state] ?? 0) + Number(r.n);
    closed += Number(r.closed);
    onTime += Number(r.on_time);
  }
  const median = m?.median === null || m?.median === undefined ? null : Number(m.median);
  return {
    byType,
    byState,
    groupRequests,
    closed,
    closedOnTime: onTime,
    onTimeRate: closed ? onTime / closed : null,
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
