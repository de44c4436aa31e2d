/**
 * The register of breaches as the desk lists it (each with its clock), and the daily digest's part for
 * breaches: the ones whose 72-hour clock is due soon or overdue, in one mail to the privacy team.
 * Lists are narrowed in SQL to the companies the caller reads breaches in.
 */
import { clockWords } from '../../core/breaches/clock.ts';
import type { Caller, Group } from '../../core/policies/policy.ts';
import { groupListScope } from '../../core/policies/policy.ts';
import type { Db } from '../../storage/db.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { type Breach, type BreachDeps, type BreachRow, clockOf, toBreach } from './store.ts';

export async function listBreaches(
  deps: BreachDeps,
  caller: Caller | 'all',
  group: Group,
): Promise<Breach[]> {
  const scope = caller === 'all' ? 'all' : groupListScope(caller.principal, 'breaches:read', group);
  // A breach of several companies is listed to those who read breaches in each of them (breachPolicy).
  const rows =
    scope === 'all'
      ? await deps.db.query<BreachRow>('SELECT * FROM breaches ORDER BY aware_at DESC')
      : await deps.db.query<BreachRow>(
          'SELECT * FROM breaches WHERE cardinality(org_ids) > 0 AND org_ids <@ $1::text[] ORDER BY aware_at DESC',
          [scope],
        );
  return rows.map(toBreach);
}

/** Breaches whose clock is due soon or overdue, at `now`. */
export async function breachesDue(deps: BreachDeps): Promise<Breach[]> {
  const now = deps.now();
  return (await listBreaches(deps, 'all', { orgIds: [] })).filter((b) => {
    const s = clockOf(b, now).state;
    return s === 'due-soon' || s === 'overdue';
  });
}

export async function mailBreachesDue(
  db: Db,
  opts: { to: string; publicUrl: string; now: Date },
): Promise<{ mails: number; breaches: number }> {
  const due = await breachesDue({ db, now: () => opts.now });
  if (!due.length) return { mails: 0, breaches: 0 };
  const lines = due.map((b) => {
    const c = clockOf(b, opts.now);
    return `${c.state === 'overdue' ? 'OVERDUE ' : 'due soon'} ${c.deadline.toISOString()}  ${b.reference}  ${clockWords(c)}  ${b.title}  ${opts.publicUrl}/console/breaches/${b.id}`;
  });
  await enqueueMail(
    db,
    {
      to: opts.to,
      template: 'digest',
      lang: 'en',
      subject: `Ombud: ${due.length} personal data breach${due.length === 1 ? '' : 'es'} to notify within 72 hours`,
      body: `Notify the supervisory authority, or document why no notification is required (Art. 33(5)).\n${lines.join('\n')}\n`,
      orgId: null,
    },
    opts.now,
  );
  return { mails: 1, breaches: due.length };
}
