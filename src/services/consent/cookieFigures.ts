/**
 * The cookie banner's figures for the console: per site (the origin of the page where the choice was made)
 * and day (UTC), the choices to accept all, reject all and custom ones, how many came with Global Privacy
 * Control, and the re-asks (a choice from a consent id that had chosen before at the company: the banner
 * asked again after an inventory change or expiry, or the visitor reopened the settings). Only the companies
 * where the caller holds consent:read; no personal data (the proofs hold none), so nothing to audit.
 */
import { listScope, type Caller } from '../../core/policies/policy.ts';
import { cookieConsentPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';

export type CookieDayFigures = {
  orgId: string;
  site: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  acceptAll: number;
  rejectAll: number;
  custom: number;
  gpc: number;
  reasks: number;
  total: number;
};

/** The days `from`..`to` (inclusive, UTC) as YYYY-MM-DD. */
export function daysBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  const d = new Date(`${from.toISOString().slice(0, 10)}T00:00:00Z`);
  for (; d.getTime() <= to.getTime(); d.setUTCDate(d.getUTCDate() + 1))
    out.push(d.toISOString().slice(0, 10));
  return out;
}

export async function cookieFigures(
  db: Db,
  caller: Caller,
  range: { from: Date; to: Date },
): Promise<CookieDayFigures[]> {
  const scope = listScope(caller.principal, cookieConsentPolicy.actions.read);
  const rows = await db.query<{
    org_id: string;
    site: string;
    day: string;
    accept_all: number;
    reject_all: number;
    custom: number;
    gpc: number;
    reasks: number;
    total: number;
  }>(
    `WITH c AS (
       SELECT c.org_id, substring(c.url from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+') AS site,
              to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, c.action, c.gpc,
              EXISTS (SELECT 1 FROM cookie_consents e
                       WHERE e.consent_id = c.consent_id AND e.org_id = c.org_id AND e.seq < c.seq) AS reask
         FROM cookie_consents c
        WHERE c.at >= $1 AND c.at <= $2 AND ($3::text[] IS NULL OR c.org_id = ANY($3::text[])))
     SELECT org_id, coalesce(site, '(no site)') AS site, day,
            count(*) FILTER (WHERE action = 'accept-all')::int AS accept_all,
            count(*) FILTER (WHERE action = 'reject-all')::int AS reject_all,
            count(*) FILTER (WHERE action = 'custom')::int AS custom,
            count(*) FILTER (WHERE gpc)::int AS gpc,
            count(*) FILTER (WHERE reask)::int AS reasks,
            count(*)::int AS total
       FROM c GROUP BY org_id, site, day ORDER BY site, org_id, day`,
    [range.from.toISOString(), range.to.toISOString(), scope === 'all' ? null : scope],
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    site: r.site,
    day: r.day,
    acceptAll: Number(r.accept_all),
    rejectAll: Number(r.reject_all),
    custom: Number(r.custom),
    gpc: Number(r.gpc),
    reasks: Number(r.reasks),
    total: Number(r.total),
  }));
}
