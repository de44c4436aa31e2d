/**
 * Legal holds in Ombud's own database (migration 0550): the hold, and the rows it marked with the marker
 * each had before. A data subject is stored only as keyed hashes (HMAC with the installation secret) of
 * the e-mail address and the customer number: enough to find the holds on a customer, nothing to read back.
 */
import { createHmac } from 'node:crypto';
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import type { HoldReasonKind, HoldScopeKind } from '../../core/holds/hold.ts';
import type { Db } from '../../storage/db.ts';
import type { RetentionDeps } from '../retention/runRetention.ts';
import type { Log } from '../../log.ts';
import type { HeldRow, Marker } from './markers.ts';

/** What the hold use cases need: a retention run's dependencies, without its actor (a Caller is given). */
export type HoldDeps = Omit<RetentionDeps, 'actor' | 'now'> & {
  now: () => Date;
  /** Where a failure that cannot be reported to the caller is logged (ids and codes only). */
  log?: Log;
};

export type Hold = {
  id: string;
  orgId: string;
  /** The companies the hold speaks for (the placing company first): whose rows it may mark. */
  companies: string[];
  reasonKind: HoldReasonKind;
  ruleId: string | null;
  reason: string;
  scope: {
    kind: HoldScopeKind;
    /** Which identities name the subject (never their values). */
    identifiedBy?: ('email' | 'customerNumber')[];
    system?: string;
    dataset?: string;
    collection?: string;
  };
  reviewOn: IsoDate;
  rowsHeld: number;
  placedBy: string;
  placedAt: Date;
  liftedBy: string | null;
  liftedAt: Date | null;
  liftReason: string | null;
};

export type HoldRow = {
  id: string;
  org_id: string;
  companies: string[];
  reason_kind: HoldReasonKind;
  rule_id: string | null;
  reason: string;
  scope_kind: HoldScopeKind;
  email_hash: string | null;
  customer_number_hash: string | null;
  system_id: string | null;
  dataset: string | null;
  collection: string | null;
  review_on: string;
  rows_held: number;
  placed_by: string;
  placed_at: Date;
  lifted_by: string | null;
  lifted_at: Date | null;
  lift_reason: string | null;
};

export const HOLD_COLUMNS = `id, org_id, companies, reason_kind, rule_id, reason, scope_kind, email_hash, customer_number_hash,
  system_id, dataset, collection, review_on::text AS review_on, rows_held, placed_by, placed_at, lifted_by,
  lifted_at, lift_reason`;

export function toHold(r: HoldRow): Hold {
  const identifiedBy = [
    ...(r.email_hash ? (['email'] as const) : []),
    ...(r.customer_number_hash ? (['customerNumber'] as const) : []),
  ];
  return {
    id: r.id,
    orgId: r.org_id,
    companies: [...(r.companies ?? [r.org_id])],
    reasonKind: r.reason_kind,
    ruleId: r.rule_id,
    reason: r.reason,
    scope: {
      kind: r.scope_kind,
      ...(r.scope_kind === 'subject' ? { identifiedBy } : {}),
      ...(r.system_id ? { system: r.system_id } : {}),
      ...(r.dataset ? { dataset: r.dataset } : {}),
      ...(r.collection ? { collection: r.collection } : {}),
    },
    reviewOn: String(r.review_on).slice(0, 10),
    rowsHeld: Number(r.rows_held),
    placedBy: r.placed_by,
    placedAt: new Date(r.placed_at),
    liftedBy: r.lifted_by,
    liftedAt: r.lifted_at ? new Date(r.lifted_at) : null,
    liftReason: r.lift_reason,
  };
}

/** The keyed hash a subject's identity is stored and looked up by. */
export function identityHash(secret: string, kind: 'email' | 'customer_number', value: string): string {
  const v = kind === 'email' ? value.trim().toLowerCase() : value.trim();
  return createHmac('sha256', secret).update(`legal-hold\0${kind}\0${v}`).digest('hex');
}

export async function readHold(db: Db, id: string): Promise<HoldRow | undefined> {
  const [row] = await db.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE id = $1`, [id]);
  return row;
}

type RowRecord = {
  dataset: string;
  collection: string;
  row_key: string;
  prior_request_id: string | null;
  prior_reason: string | null;
  prior_rule_id: string | null;
  prior_erase_on: string | null;
};
const priorOfRecord = (r: RowRecord): Marker | null =>
  r.prior_request_id && r.prior_reason
    ? {
        requestId: r.prior_request_id,
        reason: r.prior_reason,
        rule: r.prior_rule_id,
        eraseOn: r.prior_erase_on ? String(r.prior_erase_on).slice(0, 10) : null,
      }
    : null;

export async function heldRowsOf(db: Db, holdId: string): Promise<HeldRow[]> {
  const rows = await db.query<RowRecord>(
    `SELECT dataset, collection, row_key, prior_request_id, prior_reason, prior_rule_id,
            prior_erase_on::text AS prior_erase_on
       FROM legal_hold_rows WHERE hold_id = $1 ORDER BY dataset, collection, row_key`,
    [holdId],
  );
  return rows.map((r) => ({
    dataset: r.dataset,
    collection: r.collection,
    rowKey: r.row_key,
    prior: priorOfRecord(r),
  }));
}

/** The marker a row had before the holds, as recorded by the hold `holdId` when it was placed. */
export async function priorRecorded(
  db: Db,
  row: { dataset: string; collection: string; rowKey: string },
  holdId: string,
): Promise<Marker | null> {
  const [r] = await db.query<RowRecord>(
    `SELECT dataset, collection, row_key, prior_request_id, prior_reason, prior_rule_id,
            prior_erase_on::text AS prior_erase_on
       FROM legal_hold_rows WHERE hold_id = $1 AND dataset = $2 AND collection = $3 AND row_key = $4`,
    [holdId, row.dataset, row.collection, row.rowKey],
  );
  return r ? priorOfRecord(r) : null;
}

/** Another standing hold covering the row (the one placed last), or null. */
export async function standingHoldOf(
  db: Db,
  row: { dataset: string; collection: string; rowKey: string },
  except: string,
): Promise<string | null> {
  const [r] = await db.query<{ id: string }>(
    `SELECT h.id FROM legal_hold_rows r JOIN legal_holds h ON h.id = r.hold_id
      WHERE r.dataset = $1 AND r.collection = $2 AND r.row_key = $3 AND h.id <> $4 AND h.lifted_at IS NULL
      ORDER BY h.placed_at DESC LIMIT 1`,
    [row.dataset, row.collection, row.rowKey, except],
  );
  return r?.id ?? null;
}

/** Record the rows a hold marked (in the caller's transaction), in batches. */
export async function recordHeldRows(db: Db, holdId: string, rows: HeldRow[]): Promise<void> {
  const BATCH = 500;
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    const params: unknown[] = [];
    const values = chunk.map((r) => {
      const n = params.length;
      params.push(
        holdId,
        r.dataset,
        r.collection,
        r.rowKey,
        r.prior?.requestId ?? null,
        r.prior?.reason ?? null,
        r.prior?.rule ?? null,
        r.prior?.eraseOn ?? null,
      );
      return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}::date)`;
    });
    await db.query(
      `INSERT INTO legal_hold_rows (hold_id, dataset, collection, row_key, prior_request_id, prior_reason,
              prior_rule_id, prior_erase_on)
       VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
  }
}
