import { parseArgs } from 'node:util';
import { diffNotices, type NoticeChange } from '../../core/notice/diff.ts';
import { noticeFacts } from '../../core/notice/facts.ts';
import { noticeVersions } from '../../services/notice/publishNotice.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

/** Changes between two published versions; without --to, between the latest version and the current register. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.org) {
    io.err('ombud notice diff: --org ID is required');
    return 2;
  }
  return withApp(async (app) => {
    const versions = await noticeVersions(app.db, values.org!);
    const find = (n: string | undefined) => (n ? versions.find((v) => v.version === Number(n)) : undefined);
    let label: string;
    let changes: NoticeChange[];
    if (values.to) {
      const to = find(values.to);
      const from = values.from
        ? find(values.from)
        : versions.find((v) => v.version === Number(values.to) - 1);
      if (!to) {
        io.err(
          `ombud notice diff: no version ${values.to} for ${values.org}; published: ${versions.map((v) => v.version).join(', ') || 'none'}`,
        );
        return 1;
      }
      changes = diffNotices(from?.facts ?? null, to.facts);
      label = `version ${from?.version ?? '(none)'} → ${to.version}`;
    } else {
      const r = await app.registers.get();
      if (!r?.index.organization(values.org!)) {
        io.err(`ombud notice diff: no organization '${values.org}' in the stored register`);
        return 1;
      }
      const from = values.from ? find(values.from) : versions.at(-1);
      changes = diffNotices(from?.facts ?? null, noticeFacts(r.index, values.org!));
      label = `version ${from?.version ?? '(none)'} → current register (unpublished)`;
    }
    if (values.json) io.out(JSON.stringify(changes, null, 2));
    else {
      io.out(
        `${values.org}: ${label}: ${changes.length} changes, ${changes.filter((c) => c.material).length} material`,
      );
      for (const c of changes) io.out(`  ${c.material ? 'MATERIAL' : 'minor   '} ${c.kind}: ${c.reason}`);
    }
    return 0;
  });
}
