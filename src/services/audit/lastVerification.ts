/**
 * The audit chain's last verification (when, and whether it verified), for monitoring: recorded by every
 * verification that could run (`ombud audit verify`, `GET /api/v1/audit/verify`, the daily checkpoint,
 * which verifies the entries since the last signed checkpoint before it signs) and read by /metrics. Kept
 * in `settings`: ids and counts only. A verification that could not run (no key here) is not recorded.
 */
import type { Db } from '../../storage/db.ts';

export type LastVerification = { at: string; ok: boolean; count: number; by: 'verify' | 'checkpoint' };

const KEY = 'audit.last-verification';

export async function recordVerification(db: Db, v: LastVerification): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [KEY, JSON.stringify(v)],
  );
}

export async function lastVerification(db: Db): Promise<LastVerification | undefined> {
  const rows = await db.query<{ value: LastVerification }>('SELECT value FROM settings WHERE key = $1', [
    KEY,
  ]);
  return rows[0]?.value;
}
