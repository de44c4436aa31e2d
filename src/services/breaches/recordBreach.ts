/**
 * Record a personal data breach: what happened, when it was detected and when the group became aware (the
 * 72-hour clock runs from then), the collections concerned and the window, containment, the people
 * involved. Also the one use case for later changes of these facts (`updateBreach`). Audited; each change
 * is a line of the breach's timeline.
 */
import { z } from 'zod';
import { validationError } from '../../core/errors.ts';
import { authorize, type Caller, type Group } from '../../core/policies/policy.ts';
import { breachPolicy } from '../../core/policies/resources.ts';
import { actorString, recordAudit } from '../audit/auditLog.ts';
import {
  addEvent,
  authorizedBreach,
  type Breach,
  type BreachDeps,
  newId,
  readBreachRow,
  toBreach,
} from './store.ts';

const text = (max: number) => z.string().trim().max(max);
export const affectedCollectionInput = z.strictObject({
  dataset: z.string().min(1).max(100),
  collection: z.string().min(1).max(100),
  timeField: z.string().min(1).max(200).optional(),
});
export const breachInput = z.strictObject({
  title: text(200).min(1),
  description: text(5000).min(1),
  detectedAt: z.iso.datetime({ offset: true }),
  awareAt: z.iso.datetime({ offset: true }),
  window: z
    .strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
    .optional(),
  affected: z.array(affectedCollectionInput).min(1).max(50),
  containment: text(5000).optional(),
  consequences: text(5000).optional(),
  measures: text(5000).optional(),
  people: z
    .array(z.strictObject({ name: text(200).min(1), role: text(200).min(1) }))
    .max(50)
    .optional(),
  orgIds: z.array(z.string().min(1).max(100)).max(20).optional(),
});
export type BreachInput = z.infer<typeof breachInput>;

/**
 * What may change after a breach is recorded: the facts learnt later. Not detection and awareness (the
 * 72-hour clock runs from awareness: moving it afterwards would rewrite whether a notification was late),
 * nor the companies (they follow from the scope). Each field optional; at least one.
 */
export const breachChange = breachInput
  .pick({
    title: true,
    description: true,
    window: true,
    affected: true,
    containment: true,
    consequences: true,
    measures: true,
    people: true,
  })
  .partial()
  .extend({
    delayReason: text(5000).optional().describe('Why the authority is notified after 72 hours (Art. 33(1)).'),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), {
    message: 'change at least one field',
  });
export type BreachChange = z.infer<typeof breachChange>;

function check(i: Partial<BreachInput>, group: Group, existing?: Breach) {
  const issues = [];
  const detected = i.detectedAt ? new Date(i.detectedAt) : existing?.detectedAt;
  const aware = i.awareAt ? new Date(i.awareAt) : existing?.awareAt;
  if (detected && aware && aware < detected)
    issues.push({ path: ['awareAt'], message: 'awareness comes at or after detection' });
  if (i.window && new Date(i.window.to) <= new Date(i.window.from))
    issues.push({ path: ['window', 'to'], message: 'the window ends after it starts' });
  for (const [n, o] of (i.orgIds ?? []).entries())
    if (!group.orgIds.includes(o))
      issues.push({ path: ['orgIds', n], message: 'not an organization of the register' });
  if (issues.length)
    throw validationError('invalid-breach', 'The breach cannot be recorded as given.', issues);
}

export async function recordBreach(
  deps: BreachDeps,
  caller: Caller,
  group: Group,
  input: BreachInput,
): Promise<Breach> {
  const id = newId();
  const orgIds = [...new Set(input.orgIds ?? [])].sort();
  authorize(caller.principal, breachPolicy, 'write', { id, org_ids: orgIds }, group);
  check(input, group);
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    const year = at.toISOString().slice(0, 4);
    const [{ n }] = (await tx.query<{ n: number | string }>(
      'SELECT count(*) AS n FROM breaches WHERE reference LIKE $1',
      [`B-${year}-%`],
    )) as [{ n: number | string }];
    const reference = `B-${year}-${String(Number(n) + 1).padStart(3, '0')}`;
    await tx.query(
      `INSERT INTO breaches (id, reference, title, description, detected_at, aware_at, window_from, window_to, affected,
              containment, consequences, measures, people, org_ids, created_by, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9::jsonb,$10,$11,$12,$13::jsonb,$14::text[],$15,$16,$16)`,
      [
        id,
        reference,
        input.title,
        input.description,
        input.detectedAt,
        input.awareAt,
        input.window?.from ?? null,
        input.window?.to ?? null,
        JSON.stringify(input.affected),
        input.containment ?? '',
        input.consequences ?? '',
        input.measures ?? '',
        JSON.stringify(input.people ?? []),
        orgIds,
        actorString(caller.actor),
        at.toISOString(),
      ],
    );
    await addEvent(tx, id, {
      kind: 'recorded',
      summary: `Recorded: ${input.title} (aware ${new Date(input.awareAt).toISOString()})`,
      caller,
      at,
    });
    await recordAudit(tx, {
      actor: caller.actor,
      orgId: orgIds.length === 1 ? orgIds[0]! : null,
      action: 'breach.record',
      target: `breach:${id}`,
      at,
      details: { reference, orgIds, collections: input.affected.map((a) => `${a.dataset}.${a.collection}`) },
    });
  });
  return toBreach((await readBreachRow(deps.db, id))!);
}

const COLUMNS: Record<string, string> = {
  title: 'title',
  description: 'description',
  containment: 'containment',
  consequences: 'consequences',
  measures: 'measures',
  delayReason: 'delay_reason',
};

/**
 * Change the facts of a breach (each field given). A new window or new affected collections clear the
 * stored scope (its counts no longer describe the breach): the breach is scoped again before a draft, also
 * after the authority was notified (the new counts go into a follow-up, Art. 33(4)). The timeline and the
 * audit name the fields changed, never their values (descriptions are free text).
 */
export async function updateBreach(
  deps: BreachDeps,
  caller: Caller,
  group: Group,
  id: string,
  change: BreachChange,
): Promise<Breach> {
  const b = await authorizedBreach(deps.db, caller, group, id, 'write');
  check(change, group, b);
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [k, col] of Object.entries(COLUMNS)) {
    const v = change[k as keyof BreachChange];
    if (v === undefined) continue;
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  }
  if (change.window) {
    params.push(change.window.from, change.window.to);
    sets.push(`window_from = $${params.length - 1}`, `window_to = $${params.length}`);
  }
  if (change.affected) {
    params.push(JSON.stringify(change.affected));
    sets.push(`affected = $${params.length}::jsonb`);
  }
  const scopeCleared = Boolean((change.window || change.affected) && b.scope);
  if (scopeCleared) sets.push('scope = NULL');
  if (change.people) {
    params.push(JSON.stringify(change.people));
    sets.push(`people = $${params.length}::jsonb`);
  }
  const fields = Object.keys(change)
    .filter((k) => change[k as keyof BreachChange] !== undefined)
    .sort();
  if (!sets.length) return b;
  const at = deps.now();
  params.push(at.toISOString());
  sets.push(`updated_at = $${params.length}`);
  await deps.db.transaction(async (tx) => {
    await tx.query(`UPDATE breaches SET ${sets.join(', ')} WHERE id = $1`, params);
    await addEvent(tx, id, {
      kind: 'changed',
      summary: `Changed: ${fields.join(', ')}${scopeCleared ? '; the scope was cleared (the window or the collections changed): scope it again' : ''}`,
      caller,
      at,
    });
    await recordAudit(tx, {
      actor: caller.actor,
      orgId: b.orgIds.length === 1 ? b.orgIds[0]! : null,
      action: 'breach.update',
      target: `breach:${id}`,
      at,
      details: { reference: b.reference, fields, scopeCleared },
    });
  });
  return toBreach((await readBreachRow(deps.db, id))!);
}
