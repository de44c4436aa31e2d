/**
 * Draft the notification to each concerned controller's authority (Art. 33(3)), in the authority's
 * language, as JSON and as PDF (the extract's printer: services/fulfilment/pdf.ts). Each draft is the next
 * phase for its controller (Art. 33(4): the initial report, then follow-ups as more is known). Audited.
 */
import {
  type AuthorityNotification,
  draftAuthorityNotification,
  notificationHtml,
} from '../../core/breaches/notification.ts';
import { precondition, validationError } from '../../core/errors.ts';
import type { Caller, Group } from '../../core/policies/policy.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { actorString, recordAudit } from '../audit/auditLog.ts';
import { renderPdf } from '../fulfilment/pdf.ts';
import { addEvent, authorizedBreach, type BreachDeps, newId } from './store.ts';

export type DraftDeps = BreachDeps & { index: RegisterIndex; pdf?: (html: string) => Promise<Uint8Array> };

export type NotificationDraft = {
  id: string;
  orgId: string;
  authorityId: string;
  lang: string;
  phase: number;
  content: AuthorityNotification;
};

export async function draftNotifications(
  deps: DraftDeps,
  caller: Caller,
  group: Group,
  id: string,
  opts: { orgId?: string } = {},
): Promise<NotificationDraft[]> {
  const b = await authorizedBreach(deps.db, caller, group, id, 'write');
  if (!b.scope)
    throw precondition('breach-not-scoped', 'Scope the breach first: the notification states its scope.');
  if (b.decision === 'not-required')
    throw precondition(
      'breach-not-to-notify',
      'The risk was decided as unlikely: no notification is drafted (the breach stays documented).',
    );
  const controllers = b.scope.controllers.filter((c) => !opts.orgId || c.orgId === opts.orgId);
  if (opts.orgId && !controllers.length)
    throw validationError('not-a-controller', 'That company is not concerned by the breach.', [
      { path: ['orgId'], message: 'not a controller in the scope' },
    ]);
  const at = deps.now();
  const print = deps.pdf ?? renderPdf;
  const drafts: NotificationDraft[] = [];
  for (const c of controllers) {
    const [{ phase }] = (await deps.db.query<{ phase: number | null }>(
      'SELECT max(phase) AS phase FROM breach_notifications WHERE breach_id = $1 AND org_id = $2',
      [id, c.orgId],
    )) as [{ phase: number | null }];
    const content = draftAuthorityNotification(
      deps.index,
      {
        reference: b.reference,
        title: b.title,
        description: b.description,
        detectedAt: b.detectedAt,
        awareAt: b.awareAt,
        window: b.scope.window,
        containment: b.containment,
        consequences: b.consequences,
        measures: b.measures,
        delayReason: b.delayReason,
        risk: b.risk ? { level: b.risk.level, reason: b.risk.reason } : null,
      },
      b.scope,
      c.orgId,
      Number(phase ?? 0) + 1,
      at,
    );
    const pdf = await print(notificationHtml(content));
    drafts.push({
      id: newId(),
      orgId: c.orgId,
      authorityId: content.authority.id,
      lang: content.lang,
      phase: content.phase,
      content,
    });
    const d = drafts.at(-1)!;
    await deps.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO breach_notifications (id, breach_id, org_id, authority_id, lang, phase, content, pdf, created_by, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9,$10)`,
        [
          d.id,
          id,
          d.orgId,
          d.authorityId,
          d.lang,
          d.phase,
          JSON.stringify(content),
          Buffer.from(pdf),
          actorString(caller.actor),
          at.toISOString(),
        ],
      );
      await addEvent(tx, id, {
        kind: 'drafted',
        summary: `Notification drafted for ${d.orgId} to ${d.authorityId} (${d.phase === 1 ? 'initial' : `follow-up ${d.phase - 1}`}, ${d.lang})`,
        caller,
        at,
      });
      await recordAudit(tx, {
        actor: caller.actor,
        orgId: d.orgId,
        action: 'breach.draft',
        target: `breach:${id}`,
        at,
        details: { reference: b.reference, notification: d.id, authority: d.authorityId, phase: d.phase },
      });
    });
  }
  return drafts;
}

export type StoredNotification = NotificationDraft & { createdAt: Date; pdf: Uint8Array | null };

/** The breach's drafts (the caller may read the breach), newest phase last. */
export async function listNotifications(
  deps: BreachDeps,
  caller: Caller,
  group: Group,
  id: string,
): Promise<StoredNotification[]> {
  await authorizedBreach(deps.db, caller, group, id, 'read');
  const rows = await deps.db.query<{
    id: string;
    org_id: string;
    authority_id: string;
    lang: string;
    phase: number;
    content: AuthorityNotification | string;
    pdf: Uint8Array | null;
    created_at: Date | string;
  }>('SELECT * FROM breach_notifications WHERE breach_id = $1 ORDER BY org_id, phase', [id]);
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    authorityId: r.authority_id,
    lang: r.lang,
    phase: Number(r.phase),
    content: typeof r.content === 'string' ? (JSON.parse(r.content) as AuthorityNotification) : r.content,
    pdf: r.pdf,
    createdAt: new Date(r.created_at),
  }));
}
