import { parseArgs } from 'node:util';
import { todayIn } from '../../app.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { publishNotice } from '../../services/notice/publishNotice.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      effective: { type: 'string' },
      force: { type: 'string' },
      all: { type: 'boolean' },
    },
  });
  if ((!values.org && !values.all) || !values.effective) {
    io.err('ombud notice publish: give --org ID (or --all) and --effective YYYY-MM-DD');
    return 2;
  }
  return withApp(async (app) => {
    const r = await app.registers.get();
    const orgs = values.all ? (r?.index.register.organizations.map((o) => o.id) ?? []) : [values.org!];
    for (const orgId of orgs) {
      const tz = r?.index.organization(orgId)?.timeZone;
      const res = await publishNotice(app.db, CLI_ACTOR, {
        orgId,
        effectiveDate: values.effective!,
        today: todayIn(app.now(), tz),
        force: values.force,
      });
      const v = res.version;
      if (!res.published) io.out(`${orgId}: unchanged since version ${v.version}; nothing published.`);
      else {
        io.out(
          `${orgId}: published version ${v.version}, effective ${v.effectiveDate}${v.material ? ' (material changes)' : ''}.`,
        );
        for (const c of v.changes) io.out(`  ${c.material ? 'MATERIAL' : 'minor   '} ${c.reason}`);
      }
    }
    return 0;
  });
}
