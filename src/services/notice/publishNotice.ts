import { contentHash } from '../../core/canonical.ts';
import { conflict, notFound, precondition, validationError } from '../../core/errors.ts';
import { diffNotices, type NoticeChange } from '../../core/notice/diff.ts';
import { type NoticeFacts, noticeFacts } from '../../core/notice/facts.ts';
import { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, actorString, recordAudit } from '../audit/auditLog.ts';
import { currentRegister } from '../register/currentRegister.ts';

export type NoticeVersion = {
  id: number;
  orgId: string;
  version: number;
  effectiveDate: string;
  publishedAt: Date;
  publishedBy: string;
  registerRevision: number;
  facts: NoticeFacts;
  changes: NoticeChange[];
  material: boolean;
};

type Row = {
  id: number;
  org_id: string;
  version: number;
  effective_date: string;
  published_at: Date;
  published_by: string;
  register_revision_id: number;
  facts: NoticeFacts;
  changes: NoticeChange[];
  material: boolean;
};
const toVersion = (r: Row): NoticeVersion => ({
  id: r.id,
  orgId: r.org_id,
  version: r.version,
  effectiveDate: r.effective_date,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
  registerRevision: r.register_revision_id,
  facts: r.facts,
  changes: r.changes,
  material: r.material,
});

export async function noticeVersions(db: Db, orgId: string): Promise<NoticeVersion[]> {
  return (
    await db.query<Row>('SELECT * FROM notice_versions WHERE org_id = $1 ORDER BY version', [orgId])
  ).map(toVersion);
}

const addDays = (iso: string, days: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

export type PublishResult = { published: boolean; version: NoticeVersion };

/**
 * Publish an immutable notice version for one controller from the current register.
 * A material change must take effect no sooner than the organization's announcement period (P35),
 * unless `force` is given with a reason.
 */
export async function publishNotice(
  db: Db,
  actor: Actor,
  opts: { orgId: string; effectiveDate: string; today: string; force?: string },
): Promise<PublishResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.effectiveDate) || Number.isNaN(Date.parse(opts.effectiveDate)))
    throw validationError('bad-date', `'${opts.effectiveDate}' is not a date.`, [
      { path: ['effective'], message: 'Use YYYY-MM-DD.' },
    ]);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(4242004)');
    const stored = await currentRegister(tx);
    if (!stored)
      throw precondition(
        'no-register',
        'No register has been applied yet.',
        'Run `ombud register apply DIR` first.',
      );
    const ix = new RegisterIndex(stored.register);
    if (!ix.organization(opts.orgId)) throw notFound('organization', opts.orgId);
    const facts = noticeFacts(ix, opts.orgId);
    const hash = contentHash(facts);
    const previous = (await noticeVersions(tx, opts.orgId)).at(-1);
    if (
      previous?.facts &&
      contentHash(previous.facts) === hash &&
      previous.registerRevision === stored.revision
    )
      return { published: false, version: previous };
    if (previous && opts.effectiveDate < previous.effectiveDate)
      throw conflict(
        'effective-before-previous',
        `Version ${previous.version} takes effect ${previous.effectiveDate}; a new version cannot take effect earlier.`,
        `Use ${previous.effectiveDate} or later.`,
      );
    const changes = diffNotices(previous?.facts ?? null, facts);
    const material = previous !== undefined && changes.some((c) => c.material);
    const noticeDays = ix.organization(opts.orgId)!.promises.materialChangeNoticeDays;
    const earliest = addDays(opts.today, noticeDays);
    if (material && opts.effectiveDate < earliest && !opts.force)
      throw precondition(
        'material-change-too-soon',
        `This version has material changes (${changes
          .filter((c) => c.material)
          .map((c) => c.kind)
          .join(', ')}); the notice promises to announce them ${noticeDays} days before they take effect.`,
        `Publish with an effective date of ${earliest} or later, or give --force "reason".`,
      );
    const version = (previous?.version ?? 0) + 1;
    const rows = await tx.query<Row>(
      `INSERT INTO notice_versions (org_id, version, effective_date, published_by, register_revision_id, facts, content_hash, changes, material)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        opts.orgId,
        version,
        opts.effectiveDate,
        actorString(actor),
        stored.revision,
        JSON.stringify(facts),
        hash,
        JSON.stringify(changes),
        material,
      ],
    );
    await recordAudit(tx, {
      actor,
      orgId: opts.orgId,
      action: 'notice.publish',
      target: `notice:${opts.orgId}:${version}`,
      reason: opts.force ?? null,
      details: {
        effectiveDate: opts.effectiveDate,
        material,
        changes: changes.length,
        registerRevision: stored.revision,
      },
    });
    return { published: true, version: toVersion(rows[0]!) };
  });
}
