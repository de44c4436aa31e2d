import { verifyAuditTrail } from '../../services/audit/checkpoints.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

/**
 * `ombud audit verify`: the keyed chain, its head, and every signed checkpoint of the exported file.
 * Exit 0 intact, 1 broken (names the first bad entry), 3 could not be verified (a key is missing here).
 */
export async function run(_args: string[], io: CliIo): Promise<number> {
  return withApp(
    async (app) => {
      const r = await verifyAuditTrail(app.db, app.auditTrust);
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
      if (r.cannotVerify) {
        io.err(
          `Audit log NOT VERIFIED at ${r.seq ? `entry ${r.seq}` : 'its checkpoints'}: ${r.problem}. ${Math.max(r.count - 1, 0)} entries before it verified.`,
        );
        return 3;
      }
      io.err(
        `Audit log BROKEN at ${r.seq ? `entry ${r.seq}` : 'its checkpoints'}: ${r.problem}. ${Math.max(r.count - 1, 0)} entries before it verified.`,
      );
      return 1;
    },
    { auditKeys: 'load' },
  );
}
