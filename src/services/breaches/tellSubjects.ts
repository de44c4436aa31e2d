/**
 * Tell the people affected by a high-risk breach (Art. 34). A job in two steps:
 *
 * 1. The list: the e-mail address of each person affected, per controller, read from the live databases
 *    through the same plan as the scope (each company tells its own customers). It is kept in
 *    breach_recipients only as long as the telling needs it.
 * 2. The mails, in batches, through the outbox: each in the company's language (en, sv, nb), with the
 *    content of Art. 34(2). Once a mail has gone, its address is removed from the list and from the
 *    outbox; the row stays as the record that this person was told (a keyed hash, the time, the company).
 *
 * Progress is the count per status (tellProgress). Audited with counts only.
 */
import { createHmac } from 'node:crypto';
import { art34Mail, tellLanguage } from '../../core/breaches/art34.ts';
import { planScope } from '../../core/breaches/scope.ts';
import { precondition } from '../../core/errors.ts';
import type { Caller, Group } from '../../core/policies/policy.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Log } from '../../log.ts';
import type { SubjectSystems } from '../../workers.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { deliverOutbox, enqueueMail } from '../mail/outbox.ts';
import { affectedRowsSql, holderSql } from './countScope.ts';
import {
  addEvent,
  authorizedBreach,
  type Breach,
  type BreachDeps,
  type TellProgress,
  tellProgress,
} from './store.ts';

export type TellDeps = BreachDeps & {
  index: RegisterIndex;
  systems: SubjectSystems;
  secret: string;
  smtp: { url?: string; from: string };
  log?: Log;
};

const hashOf = (secret: string, breachId: string, email: string) =>
  createHmac('sha256', secret).update(`breach\0${breachId}\0${email.trim().toLowerCase()}`).digest('hex');

/** Step 1: the people to tell, from the live databases. Returns how many were added to the list. */
export async function buildTellList(
  deps: TellDeps,
  breachId: string,
  affected: Parameters<typeof planScope>[2],
  window: { from: Date; to: Date } | null,
): Promise<number> {
  const plans = planScope(deps.index, deps.systems.datasets, affected).filter((p) => p.email);
  let added = 0;
  const [{ n }] = (await deps.db.query<{ n: number | string | null }>(
    'SELECT max(seq) AS n FROM breach_recipients WHERE breach_id = $1',
    [breachId],
  )) as [{ n: number | string | null }];
  let seq = Number(n ?? 0);
  for (const p of plans) {
    const c = deps.systems.connectors.get(p.dataset);
    if (!c) throw new Error(`no connection to the database of dataset ${p.dataset}`);
    const params: unknown[] = [];
    const holder = holderSql(c, p);
    const email = `${p.email!.alias}.${c.quote(p.email!.column)}`;
    const rows = await c.query<{ holder: string; email: string | null }>(
      `SELECT DISTINCT ${holder} AS holder, ${email} AS email ${affectedRowsSql(c, p, window, params)}`,
      params,
    );
    const entries: { org: string; email: string }[] = [];
    for (const r of rows) {
      if (!r.email) continue;
      const orgs = r.holder.startsWith('~default:')
        ? p.defaults
        : deps.index.organization(r.holder)
          ? [r.holder]
          : [];
      for (const org of orgs) entries.push({ org, email: r.email });
    }
    for (let i = 0; i < entries.length; i += 500) {
      const batch = entries.slice(i, i + 500);
      await deps.db.transaction(async (tx) => {
        for (const e of batch) {
          const lang = tellLanguage(deps.index.organization(e.org)?.country);
          const res = await tx.query<{ seq: number }>(
            `INSERT INTO breach_recipients (breach_id, seq, org_id, lang, email, email_hash)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING seq`,
            [breachId, seq + 1, e.org, lang, e.email, hashOf(deps.secret, breachId, e.email)],
          );
          if (res.length) {
            seq++;
            added++;
          }
        }
      });
    }
  }
  return added;
}

/** Mails that have gone: the address leaves the list and the outbox; the row records the telling. */
async function settle(deps: TellDeps, breachId: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE breach_recipients r SET status = m.status, sent_at = m.sent_at, email = NULL
         FROM mail_outbox m WHERE r.breach_id = $1 AND r.status = 'queued' AND m.id = r.outbox_id AND m.status IN ('sent', 'failed')`,
      [breachId],
    );
    await tx.query(
      `UPDATE mail_outbox SET to_address = '' WHERE id IN
         (SELECT outbox_id FROM breach_recipients WHERE breach_id = $1 AND status IN ('sent', 'failed') AND outbox_id IS NOT NULL)
         AND to_address <> ''`,
      [breachId],
    );
  });
}

/** The breach, if its people are to be told: the risk to them decided as high (Art. 34(1)); else 409. */
export function mayTell(b: Breach): Breach {
  if (b.risk?.level !== 'high-risk')
    throw precondition(
      'breach-not-high-risk',
      'The people affected are told when the risk to them is decided as high (Art. 34(1)).',
      'Decide the risk assessment first.',
    );
  return b;
}

export async function tellSubjects(
  deps: TellDeps,
  caller: Caller,
  group: Group,
  id: string,
  opts: { batch?: number; onProgress?: (p: TellProgress) => void } = {},
): Promise<TellProgress> {
  const b = mayTell(await authorizedBreach(deps.db, caller, group, id, 'write'));
  const at = deps.now();
  const listed = await buildTellList(deps, id, b.affected, b.window);
  await addEvent(deps.db, id, { kind: 'listed', summary: `People to tell listed: ${listed}`, caller, at });
  const batch = Math.max(1, opts.batch ?? 200);
  for (;;) {
    const rows = await deps.db.query<{
      seq: number;
      org_id: string;
      lang: 'en' | 'sv' | 'nb';
      email: string;
    }>(
      `SELECT seq, org_id, lang, email FROM breach_recipients WHERE breach_id = $1 AND status = 'listed' ORDER BY seq LIMIT ${batch}`,
      [id],
    );
    if (!rows.length) break;
    await deps.db.transaction(async (tx) => {
      for (const r of rows) {
        const org = deps.index.organization(r.org_id);
        const mail = art34Mail(r.lang, {
          company: org?.legalName ?? r.org_id,
          description: b.description,
          consequences: b.consequences,
          measures: [b.containment, b.measures].filter(Boolean).join('\n'),
          contactEmail: org?.dpo?.email ?? org?.contact.email ?? '',
          reference: b.reference,
        });
        const outboxId = await enqueueMail(
          tx,
          {
            to: r.email,
            template: 'breach-art34',
            lang: r.lang,
            subject: mail.subject,
            body: mail.body,
            orgId: r.org_id,
          },
          deps.now(),
        );
        await tx.query(
          "UPDATE breach_recipients SET status = 'queued', outbox_id = $3 WHERE breach_id = $1 AND seq = $2",
          [id, r.seq, outboxId],
        );
      }
    });
    if (deps.smtp.url) {
      await deliverOutbox(deps.db, deps.smtp, deps.now(), deps.log);
      await settle(deps, id);
    }
    opts.onProgress?.(await tellProgress(deps.db, id));
  }
  const progress = await tellProgress(deps.db, id);
  const done = deps.now();
  await addEvent(deps.db, id, {
    kind: 'told',
    summary: `People told (Art. 34): ${progress.sent} sent, ${progress.queued} waiting, ${progress.failed} failed`,
    caller,
    at: done,
  });
  await recordAudit(deps.db, {
    actor: caller.actor,
    orgId: null,
    action: 'breach.tell',
    target: `breach:${id}`,
    at: done,
    details: { reference: b.reference, added: listed, ...progress },
  });
  return progress;
}
