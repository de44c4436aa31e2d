import { notFound } from '../../core/errors.ts';
import { RegisterIndex } from '../../core/register/register-index.ts';
import type { Language } from '../../core/register/schema.ts';
import { buildNotice, type NoticeDocument } from '../../core/notice/render.ts';
import type { Db } from '../../storage/db.ts';
import { registerRevision } from '../register/currentRegister.ts';
import { type NoticeVersion, noticeVersions } from './publishNotice.ts';

/**
 * The notice in force today for an organization (or a given version), rendered from the
 * register revision it was published from, with the change history.
 */
export async function renderPublishedNotice(
  db: Db,
  opts: { orgId: string; lang: Language; today: string; version?: number },
): Promise<{ doc: NoticeDocument; version: NoticeVersion; versions: NoticeVersion[] }> {
  const versions = await noticeVersions(db, opts.orgId);
  const inForce = versions.filter((v) => v.effectiveDate <= opts.today);
  const version =
    opts.version !== undefined
      ? versions.find((v) => v.version === opts.version)
      : (inForce.at(-1) ?? versions[0]);
  if (!version) throw notFound('published notice', opts.orgId);
  const stored = await registerRevision(db, version.registerRevision);
  const ix = new RegisterIndex(stored!.register);
  const history = versions
    .filter((v) => v.version <= version.version || v.effectiveDate > opts.today)
    .map((v) => ({
      version: v.version,
      effectiveDate: v.effectiveDate,
      material: v.material,
      changes: v.changes,
    }));
  return { doc: buildNotice(ix, opts.orgId, opts.lang, history, opts.today), version, versions };
}
