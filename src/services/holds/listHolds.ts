/**
 * The legal holds a caller may see (holds:read in every company the hold speaks for), newest first, and the standing holds
 * whose review day has come or comes within a week (the daily digest, the console's highlight).
 */
import { addDays, type IsoDate } from '../../core/deadlines/iso-date.ts';
import { REVIEW_SOON_DAYS } from '../../core/holds/hold.ts';
import { type Caller, listScope } from '../../core/policies/policy.ts';
import type { Db } from '../../storage/db.ts';
import { HOLD_COLUMNS, type Hold, type HoldRow, toHold } from './store.ts';

export async function listHolds(
  db: Db,
  caller: Caller,
  opts: { orgId?: string; standing?: boolean; limit?: number } = {},
): Promise<Hold[]> {
  const scope = listScope(caller.principal, 'holds:read');
  if (scope !== 'all' && !scope.length) return [];
  const where: string[] = [];
  const params: unknown[] = [];
  if (scope !== 'all') {
    params.push(scope);
    where.push(`companies <@ $${params.length}::text[]`);
  }
  if (opts.orgId) {
    params.push(opts.orgId);
    where.push(`org_id = $${params.length}`);
  }
  if (opts.standing) where.push('lifted_at IS NULL');
  params.push(opts.limit ?? 200);
  const rows = await db.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM legal_holds ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY placed_at DESC, id LIMIT $${params.length}`,
    params,
  );
  return rows.map(toHold);
}

/** Standing holds whose review day is on or before `today` + REVIEW_SOON_DAYS (every company: the system's view). */
export async function holdsDueForReview(db: Db, today: IsoDate): Promise<Hold[]> {
  const rows = await db.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE lifted_at IS NULL AND review_on <= $1::date
      ORDER BY review_on, id`,
    [addDays(today, REVIEW_SOON_DAYS)],
  );
  return rows.map(toHold);
}
