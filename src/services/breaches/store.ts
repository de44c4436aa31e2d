/**
 * The register of breaches in Ombud's database: rows as the services read them, the timeline, and the
 * dependencies the use cases take. No personal data: descriptions are the team's words, counts are counts;
 * the people to tell are kept apart (breach_recipients) and only until they are told.
 */
import { randomUUID } from 'node:crypto';
import { type BreachClock, breachClock } from '../../core/breaches/clock.ts';
import type { RiskFactors, RiskLevel, RiskSuggestion } from '../../core/breaches/risk.ts';
import type { AffectedCollection, BreachScope } from '../../core/breaches/scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Caller, Group } from '../../core/policies/policy.ts';
import { authorize } from '../../core/policies/policy.ts';
import { breachPolicy } from '../../core/policies/resources.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { actorString } from '../audit/auditLog.ts';

export type BreachDeps = { db: Db; now: () => Date };

export type Risk = {
  factors: RiskFactors;
  suggested: RiskSuggestion;
  level: RiskLevel;
  reason: string;
  decidedBy: string;
  decidedAt: string;
};

export type Breach = {
  id: string;
  reference: string;
  title: string;
  description: string;
  detectedAt: Date;
  awareAt: Date;
  window: { from: Date; to: Date } | null;
  affected: AffectedCollection[];
  containment: string;
  consequences: string;
  measures: string;
  people: { name: string; role: string }[];
  delayReason: string | null;
  orgIds: string[];
  scope: BreachScope | null;
  risk: Risk | null;
  decision: 'notify' | 'not-required' | null;
  decisionReason: string | null;
  notifiedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
};

export type BreachRow = {
  id: string;
  reference: string;
  title: string;
  description: string;
  detected_at: Date | string;
  aware_at: Date | string;
  window_from: Date | string | null;
  window_to: Date | string | null;
  affected: AffectedCollection[] | string;
  containment: string;
  consequences: string;
  measures: string;
  people: Breach['people'] | string;
  delay_reason: string | null;
  org_ids: string[];
  scope: BreachScope | string | null;
  risk: Risk | string | null;
  decision: Breach['decision'];
  decision_reason: string | null;
  notified_at: Date | string | null;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
};

const json = <T>(v: T | string | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const maybeDate = (v: Date | string | null) => (v === null ? null : date(v));

export function toBreach(r: BreachRow): Breach {
  const from = maybeDate(r.window_from);
  const to = maybeDate(r.window_to);
  return {
    id: r.id,
    reference: r.reference,
    title: r.title,
    description: r.description,
    detectedAt: date(r.detected_at),
    awareAt: date(r.aware_at),
    window: from && to ? { from, to } : null,
    affected: json<AffectedCollection[]>(r.affected) ?? [],
    containment: r.containment,
    consequences: r.consequences,
    measures: r.measures,
    people: json<Breach['people']>(r.people) ?? [],
    delayReason: r.delay_reason,
    orgIds: r.org_ids ?? [],
    scope: json<BreachScope>(r.scope),
    risk: json<Risk>(r.risk),
    decision: r.decision,
    decisionReason: r.decision_reason,
    notifiedAt: maybeDate(r.notified_at),
    createdBy: r.created_by,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export const clockOf = (b: Breach, now: Date): BreachClock =>
  breachClock(b.awareAt, now, { notifiedAt: b.notifiedAt, notRequired: b.decision === 'not-required' });

export async function readBreachRow(db: Db, id: string): Promise<BreachRow | undefined> {
  return (await db.query<BreachRow>('SELECT * FROM breaches WHERE id = $1', [id]))[0];
}

/** The breach, if the caller may do `action` on it ("not found" when they may not even read it). */
export async function authorizedBreach(
  db: Db,
  caller: Caller,
  group: Group,
  id: string,
  action: 'read' | 'write',
): Promise<Breach> {
  const row = await readBreachRow(db, id);
  if (!row) throw notFound('breach', id);
  authorize(caller.principal, breachPolicy, action, { id: row.id, org_ids: row.org_ids }, group);
  return toBreach(row);
}

export async function addEvent(
  db: Db,
  breachId: string,
  e: { kind: string; summary: string; caller: Caller; at: Date },
): Promise<void> {
  await db.query(
    'INSERT INTO breach_events (breach_id, at, kind, summary, actor) VALUES ($1, $2, $3, $4, $5)',
    [breachId, e.at.toISOString(), e.kind, e.summary, actorString(e.caller.actor)],
  );
}

export type BreachEvent = { at: Date; kind: string; summary: string; actor: string };

export async function timelineOf(db: Db, breachId: string): Promise<BreachEvent[]> {
  const rows = await db.query<{ at: Date | string; kind: string; summary: string; actor: string }>(
    'SELECT at, kind, summary, actor FROM breach_events WHERE breach_id = $1 ORDER BY at, id',
    [breachId],
  );
  return rows.map((r) => ({ ...r, at: date(r.at) }));
}

export type TellProgress = { listed: number; queued: number; sent: number; failed: number };

export async function tellProgress(db: Db, breachId: string): Promise<TellProgress> {
  const rows = await db.query<{ status: string; n: number | string }>(
    'SELECT status, count(*) AS n FROM breach_recipients WHERE breach_id = $1 GROUP BY status',
    [breachId],
  );
  const out: TellProgress = { listed: 0, queued: 0, sent: 0, failed: 0 };
  for (const r of rows) if (r.status in out) out[r.status as keyof TellProgress] = Number(r.n);
  return out;
}

export const newId = () => randomUUID();

/** The register index a use case reads authorities, controllers and categories from. */
export type WithIndex = { index: RegisterIndex };
