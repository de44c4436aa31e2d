import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { makeCheckpoint } from '../../services/audit/checkpoints.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

/**
 * `ombud audit checkpoint`: verify the chain, sign its head and export the checkpoint (file, DPO mail,
 * URL). The server makes one a day by itself; this is the on-demand one.
 */
export const run: Run<(typeof COMMANDS)['audit checkpoint']> = async ({ values }, io) =>
  withApp(async (app) => {
    io.progress('Verifying the audit log before signing …');
    const r = await makeCheckpoint(app, app.auditTrust!, CLI_ACTOR, {
      onProgress: (n) => io.progress(`Verifying the audit log before signing: ${n} entries checked`),
    });
    io.progress('');
    const code = r.posted?.startsWith('failed') ? 1 : 0;
    if (values.json) {
      if (r.createdKey)
        io.err(`Created the audit signing key ${r.createdKey}: keep a copy of the public key off this host.`);
      printJson(io, {
        seq: r.checkpoint.seq,
        count: r.checkpoint.count,
        kid: r.checkpoint.kid,
        at: r.checkpoint.at,
        file: r.file,
        createdKey: r.createdKey ?? null,
        mailedTo: r.mailedTo,
        posted: r.posted ?? null,
      });
      return code;
    }
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
    return code;
  });
