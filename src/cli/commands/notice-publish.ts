import { todayIn } from '../../app.ts';
import { isIsoDate } from '../../core/deadlines/iso-date.ts';
import { precondition } from '../../core/errors.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { publishNotice } from '../../services/notice/publishNotice.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['notice publish']> = async ({ values }, io) => {
  if (!values.org === !values.all) throw new UsageError('give --org ID or --all (one of them).');
  if (!isIsoDate(values.effective))
    throw new UsageError(
      `--effective '${values.effective}' is not a date; write YYYY-MM-DD, e.g. 2026-07-01.`,
    );
  return withApp(async (app) => {
    const r = await app.registers.get();
    if (!r)
      throw precondition('no-register', 'No register is stored.', 'Run `ombud register apply DIR` first.');
    const orgs = values.all ? r.index.register.organizations.map((o) => o.id) : [values.org!];
    const notices = [];
    for (const orgId of orgs) {
      const tz = r.index.organization(orgId)?.timeZone;
      const res = await publishNotice(app.db, CLI_ACTOR, {
        orgId,
        effectiveDate: values.effective,
        today: todayIn(app.now(), tz),
        force: values.force,
      });
      const v = res.version;
      notices.push({
        organization: orgId,
        published: res.published,
        version: v.version,
        effectiveDate: v.effectiveDate,
        material: v.material,
        changes: res.published ? v.changes : [],
      });
      if (values.json) continue;
      if (!res.published) io.out(`${orgId}: unchanged since version ${v.version}; nothing published.`);
      else {
        io.out(
          `${orgId}: published version ${v.version}, effective ${v.effectiveDate}${v.material ? ' (material changes)' : ''}.`,
        );
        for (const c of v.changes) io.out(`  ${c.material ? 'MATERIAL' : 'minor   '} ${c.reason}`);
      }
    }
    if (values.json) printJson(io, { notices });
    return 0;
  });
};
