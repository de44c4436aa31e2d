import { diffNotices, type NoticeChange } from '../../core/notice/diff.ts';
import { noticeFacts } from '../../core/notice/facts.ts';
import { noticeVersions } from '../../services/notice/publishNotice.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { withApp } from '../with-app.ts';

const versionNumber = (option: string, v: string | undefined) => {
  if (v !== undefined && !/^[1-9]\d*$/.test(v))
    throw new UsageError(`--${option} takes a version number (got '${v}').`);
  return v === undefined ? undefined : Number(v);
};

/** Changes between two published versions; without --to, between the latest version and the current register. */
export const run: Run<(typeof COMMANDS)['notice diff']> = async ({ values }, io) => {
  const org = values.org;
  const fromN = versionNumber('from', values.from);
  const toN = versionNumber('to', values.to);
  return withApp(async (app) => {
    const versions = await noticeVersions(app.db, org);
    const find = (n: number | undefined) => (n ? versions.find((v) => v.version === n) : undefined);
    let from: number | null;
    let to: number | 'current';
    let changes: NoticeChange[];
    if (toN !== undefined) {
      const after = find(toN);
      const before = find(fromN ?? toN - 1);
      if (!after || (fromN !== undefined && !before)) {
        io.err(
          `ombud notice diff: no version ${after ? fromN : toN} for ${org}; published: ${versions.map((v) => v.version).join(', ') || 'none'}`,
        );
        return 1;
      }
      changes = diffNotices(before?.facts ?? null, after.facts);
      from = before?.version ?? null;
      to = after.version;
    } else {
      const r = await app.registers.get();
      if (!r?.index.organization(org)) {
        io.err(`ombud notice diff: no organization '${org}' in the stored register`);
        return 1;
      }
      const before = fromN !== undefined ? find(fromN) : versions.at(-1);
      if (fromN !== undefined && !before) {
        io.err(
          `ombud notice diff: no version ${fromN} for ${org}; published: ${versions.map((v) => v.version).join(', ') || 'none'}`,
        );
        return 1;
      }
      changes = diffNotices(before?.facts ?? null, noticeFacts(r.index, org));
      from = before?.version ?? null;
      to = 'current';
    }
    if (values.json) printJson(io, { organization: org, from, to, changes });
    else {
      const label = `version ${from ?? '(none)'} → ${to === 'current' ? 'current register (unpublished)' : to}`;
      io.out(
        `${org}: ${label}: ${changes.length} changes, ${changes.filter((c) => c.material).length} material`,
      );
      for (const c of changes) io.out(`  ${c.material ? 'MATERIAL' : 'minor   '} ${c.kind}: ${c.reason}`);
    }
    return 0;
  });
};
