import { verifyAuditTrail } from '../../services/audit/checkpoints.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

/**
 * `ombud audit verify`: the keyed chain, its head, and every signed checkpoint of the exported file.
 * Exit 0 intact, 1 broken (names the first bad entry), 3 could not be verified (a key is missing here).
 */
export const run: Run<(typeof COMMANDS)['audit verify']> = async ({ values }, io) =>
  withApp(
    async (app) => {
      io.progress('Verifying the audit log …');
      const r = await verifyAuditTrail(app.db, app.auditTrust, {
        onProgress: (n) => io.progress(`Verifying the audit log: ${n} entries checked`),
      });
      io.progress('');
      const cannotVerify = !r.ok && r.cannotVerify === true;
      const code = r.ok ? 0 : cannotVerify ? 3 : 1;
      if (values.json) {
        for (const w of r.warnings) io.err(`warning: ${w}`);
        printJson(io, {
          ok: r.ok,
          ...(cannotVerify ? { cannotVerify: true } : {}),
          count: r.count,
          ...(r.ok ? {} : { seq: r.seq, problem: r.problem }),
          keyed: r.keyed,
          unkeyed: r.unkeyed,
          keySources: r.keySources,
          checkpoint: r.checkpoint,
          head: r.head ?? null,
          warnings: r.warnings,
        });
        return code;
      }
      for (const w of r.warnings) io.err(`warning: ${w}`);
      if (r.ok) {
        io.out(
          `Audit log intact: ${r.count} entries, hash chain verified (${r.keyed} keyed with ${r.keySources.join(' and ') || 'no key'}, ${r.unkeyed} older unkeyed).`,
        );
        io.out(
          r.checkpoint
            ? `Matches the signed checkpoint of ${r.checkpoint.at} (${r.checkpoint.count} entries up to entry ${r.checkpoint.seq}, key ${r.checkpoint.kid}, ${r.checkpoint.file}); the head is at entry ${r.head?.seq}.`
            : 'Not checked against a signed checkpoint (none exported yet).',
        );
        return 0;
      }
      const where = r.seq ? `entry ${r.seq}` : 'its checkpoints';
      const before = `${Math.max(r.count - 1, 0)} entries before it verified.`;
      io.err(
        cannotVerify
          ? `Audit log NOT VERIFIED at ${where}: ${r.problem}. ${before}`
          : `Audit log BROKEN at ${where}: ${r.problem}. ${before}`,
      );
      return code;
    },
    { auditKeys: 'load' },
  );
