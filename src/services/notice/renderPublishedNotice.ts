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
  const ix = await indexOf(db, version.registerRevision);
  const shown = versions.filter((v) => v.version <= version.version || v.effectiveDate > opts.today);
  const history = await Promise.all(
    shown.map(async (v, i) => ({
      version: v.version,
      effectiveDate: v.effectiveDate,
      material: v.material,
      changes: v.changes,
      // The changes are named from the register they were published from, and the one before it.
      registers:
        i === 0 || v.changes.length === 0
          ? []
          : [await indexOf(db, v.registerRevision), await indexOf(db, shown[i - 1]!.registerRevision)],
    })),
  );
  return { doc: buildNotice(ix, opts.orgId, opts.lang, history, opts.today), version, versions };
}

/**
 * Register revisions are immutable, so their indexes are kept per database (a notice page names each
 * version's changes from its revision: parsed once, not on every view).
 */
const indexes = new WeakMap<Db, Map<number, Promise<RegisterIndex>>>();
function indexOf(db: Db, revision: number): Promise<RegisterIndex> {
  const byRevision = indexes.get(db) ?? new Map<number, Promise<RegisterIndex>>();
  indexes.set(db, byRevision);
  let ix = byRevision.get(revision);
  if (!ix) {
    ix = registerRevision(db, revision).then((r) => {
      if (!r) throw notFound('register revision', String(revision));
      return new RegisterIndex(r.register);
    });
    ix.catch(() => byRevision.delete(revision));
    byRevision.set(revision, ix);
  }
  return ix;
}
