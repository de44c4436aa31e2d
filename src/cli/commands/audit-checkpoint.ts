import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { makeCheckpoint } from '../../services/audit/checkpoints.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

/**
 * `ombud audit checkpoint`: verify the chain, sign its head and export the checkpoint (file, DPO mail,
 * URL). The server makes one a day by itself; this is the on-demand one.
 */
export async function run(_args: string[], io: CliIo): Promise<number> {
  return withApp(async (app) => {
    const r = await makeCheckpoint(app, app.auditTrust!, CLI_ACTOR);
    if (r.createdKey)
      io.out(
        `Created the audit signing key ${r.createdKey} (and ${app.auditTrust!.publicKeyFile}): keep a copy of the public key off this host.`,
      );
    io.out(
      `Checkpoint signed: ${r.checkpoint.count} entries up to entry ${r.checkpoint.seq} (key ${r.checkpoint.kid}).`,
    );
    io.out(`Appended to ${r.file}.`);
    if (r.mailedTo.length) io.out(`Mailed to ${r.mailedTo.join(', ')} (through the outbox).`);
    if (r.posted) io.out(`Posted to ${app.auditTrust!.url}: ${r.posted}.`);
    return r.posted?.startsWith('failed') ? 1 : 0;
  });
}
