/**
 * Which notice a person was shown on a day: the proof of a consent recorded at the console's desk or in the
 * preference center names it (the notice version column of the proof).
 */
import type { Db } from '../../storage/db.ts';

/** The newest notice version of the company in force on that day (its effective date reached), if any. */
export async function noticeVersionInForce(db: Db, orgId: string, day: string): Promise<number | undefined> {
  const rows = await db.query<{ version: number }>(
    `SELECT version FROM notice_versions WHERE org_id = $1 AND effective_date <= $2::date
      ORDER BY version DESC LIMIT 1`,
    [orgId, day],
  );
  return rows[0]?.version;
}
