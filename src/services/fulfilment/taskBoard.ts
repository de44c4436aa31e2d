/**
 * The open fulfilment tasks of the caller's companies as a work list: manual systems and awaited service
 * answers, grouped by system, each with its request's R- reference, company and type and the requester's
 * e-mail masked (src/core/requests/maskEmail.ts; never the address). Filtered by system, company and age
 * (days since the task was made, on the app's clock). Opening the addresses to mask them is a read of
 * personal data: one audit entry per view, with the number of tasks shown.
 */
import { maskEmail } from '../../core/requests/maskEmail.ts';
import { type Caller, decide, type Group, listScope } from '../../core/policies/policy.ts';
import { taskPolicy } from '../../core/policies/resources.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { referenceOf, type RequestDeps, submissionKeys } from '../requests/store.ts';
import { sealContext } from '../../core/secrets/dataKeys.ts';
import { open } from '../../core/secrets/envelope.ts';
import type { TaskRow } from './recipients.ts';

export type TaskFilter = { system?: string; company?: string; olderThanDays?: number };

/**
 * Where a page of the work list ends: the sort key of its last task (system, made at as the database
 * writes it, request id), opaque in a URL. The next page starts after it (keyset paging: only the tasks
 * shown are read, however deep the page).
 */
export type BoardCursor = { system: string; made: string; request: string };

export const encodeBoardCursor = (c: BoardCursor) =>
  Buffer.from(JSON.stringify([c.system, c.made, c.request])).toString('base64url');

/** A cursor from a URL, or undefined when it is not one of ours. */
export function decodeBoardCursor(text: string | undefined): BoardCursor | undefined {
  if (!text) return undefined;
  try {
    const [system, made, request] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as string[];
    const ok =
      /^[a-z0-9][a-z0-9-]{0,62}$/.test(system ?? '') &&
      !Number.isNaN(new Date(made ?? '').getTime()) &&
      /^[A-Za-z0-9_.:-]{1,100}$/.test(request ?? '');
    return ok ? { system: system!, made: made!, request: request! } : undefined;
  } catch {
    return undefined;
  }
}

export type BoardTask = TaskRow & {
  reference: string;
  type: string;
  maskedEmail: string;
  ageDays: number;
  mayAnswer: boolean;
};

export type TaskBoard = {
  /** Systems in id order, each with its tasks oldest first. */
  bySystem: { system: string; tasks: BoardTask[] }[];
  /** The systems and companies with open tasks the caller may see, for the filter. */
  systems: string[];
  /** Open tasks per system the caller may see (all of them, not only those shown). */
  openBySystem: Record<string, number>;
  companies: string[];
  total: number;
  /** The next page's cursor, when more tasks match than are shown. */
  next?: string;
};

/** At most this many tasks are shown at once; the filters narrow a longer list, the next page goes on. */
export const BOARD_LIMIT = 100;

type Row = TaskRow & {
  type: string | null;
  submission_id: string | null;
  created_at: Date | string;
  created_key: string;
};

export async function taskBoard(
  app: RequestDeps,
  caller: Caller,
  group: Group,
  f: TaskFilter = {},
  after?: BoardCursor,
): Promise<TaskBoard> {
  const scope = listScope(caller.principal, taskPolicy.actions.read);
  const empty: TaskBoard = { bySystem: [], systems: [], openBySystem: {}, companies: [], total: 0 };
  if (scope !== 'all' && scope.length === 0) return empty;
  const now = app.now();
  const base: Sql[] = [sql`t.status IN ('open', 'sent', 'unanswered')`];
  if (scope !== 'all') base.push(sql`t.org_id = ANY(${[...scope]}::text[])`);
  const where = [...base];
  if (f.system) where.push(sql`t.system_id = ${f.system}`);
  if (f.company) where.push(sql`t.org_id = ${f.company}`);
  if (f.olderThanDays !== undefined)
    where.push(sql`t.created_at <= ${new Date(now.getTime() - f.olderThanDays * 86_400_000).toISOString()}`);
  if (after)
    where.push(
      sql`(t.system_id, t.created_at, t.request_id) > (${after.system}, ${after.made}::timestamptz, ${after.request})`,
    );
  // The page's tasks first, then their requests by primary key (a run's id is its request's id).
  const q = sql`SELECT t.*, r.type, r.submission_id FROM (SELECT t.*, t.created_at::text AS created_key
      FROM fulfilment_recipient_tasks t WHERE ${sql.join(where, ' AND ')}
      ORDER BY t.system_id, t.created_at, t.request_id LIMIT ${BOARD_LIMIT + 1}) t
    LEFT JOIN dsr_requests r ON r.id = (CASE WHEN t.request_id ~ '^[0-9a-f-]{36}$' THEN t.request_id END)::uuid
    ORDER BY t.system_id, t.created_at, t.request_id`.render();
  // The counts per system and company (for the filters and the titles) are read beside the page, on
  // another connection of the pool: the page's rows, addresses and audit entry do not wait for them.
  const facets = sql`SELECT t.system_id, t.org_id, count(*) AS n FROM fulfilment_recipient_tasks t
    WHERE ${sql.join(base, ' AND ')} GROUP BY 1, 2`.render();
  const counting = app.db.query<{ system_id: string; org_id: string; n: string | number }>(
    facets.text,
    facets.params,
  );
  // Awaited below; a failure before then is not left unhandled.
  counting.catch(() => {});
  const read = await app.db.query<Row>(q.text, q.params);
  const rows = read.slice(0, BOARD_LIMIT);
  const last = rows.at(-1);
  const next =
    read.length > BOARD_LIMIT && last
      ? encodeBoardCursor({ system: last.system_id, made: last.created_key, request: last.request_id })
      : undefined;
  // The requesters' addresses, one read for the page, opened only to be masked.
  const keys = await submissionKeys(app);
  const ids = [...new Set(rows.map((r) => r.submission_id).filter((x): x is string => !!x))];
  const subs = await app.db.query<{ id: string; email: string | null; email_sealed: string | null }>(
    'SELECT id::text AS id, email, email_sealed FROM dsr_submissions WHERE id = ANY($1::uuid[])',
    [ids],
  );
  const emails = new Map(
    subs.map((x) => [
      x.id,
      maskEmail(
        x.email_sealed
          ? open(keys.ring, x.email_sealed, sealContext.submission(x.id, 'email'))
          : (x.email ?? ''),
      ),
    ]),
  );
  const tasks: BoardTask[] = [];
  for (const { created_key: _k, ...r } of rows) {
    const sid = r.submission_id;
    tasks.push({
      ...r,
      reference: sid ? referenceOf(sid) : r.request_id,
      type: r.type ?? r.action,
      maskedEmail: sid ? (emails.get(sid) ?? '') : '',
      ageDays: Math.floor((now.getTime() - new Date(r.created_at).getTime()) / 86_400_000),
      mayAnswer: decide(caller.principal, taskPolicy, 'answer', r, group) === 'allow',
    });
  }
  if (tasks.length)
    await recordAudit(app.db, {
      actor: caller.actor,
      action: 'fulfilment.tasks.read',
      details: { tasks: tasks.length, addresses: emails.size, masked: true },
      at: now,
    });
  const pairs = await counting;
  const openBySystem: Record<string, number> = {};
  for (const p of pairs) openBySystem[p.system_id] = (openBySystem[p.system_id] ?? 0) + Number(p.n);
  const bySystem = new Map<string, BoardTask[]>();
  for (const t of tasks) bySystem.set(t.system_id, [...(bySystem.get(t.system_id) ?? []), t]);
  return {
    bySystem: [...bySystem].map(([system, list]) => ({ system, tasks: list })),
    systems: [...new Set(pairs.map((p) => p.system_id))].sort(),
    openBySystem,
    companies: [...new Set(pairs.map((p) => p.org_id))].sort(),
    total: tasks.length,
    ...(next ? { next } : {}),
  };
}
