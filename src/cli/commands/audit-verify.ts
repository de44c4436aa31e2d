import { verifyAuditLog } from '../../services/audit/auditLog.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(_args: string[], io: CliIo): Promise<number> {
  return withApp(async (app) => {
    const check = await verifyAuditLog(app.db);
    if (check.ok) {
      io.out(`Audit log intact: ${check.count} entries, hash chain verified.`);
      return 0;
    }
    io.err(
      `Audit log BROKEN at entry ${check.seq}: ${check.problem}. ${check.count - 1} entries before it verified.`,
    );
    return 1;
  });
}
