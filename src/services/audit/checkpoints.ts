/**
 * Signed checkpoints of the audit chain's head, and verification of the trail against them.
 *
 * A checkpoint is made only after the chain verifies (with the keys, against the checkpoints already
 * exported), then signed with the Ed25519 key (./keys.ts) and exported where the database's owner
 * does not reach: appended to `checkpoints.jsonl` in the checkpoint directory, mailed to the DPO(s)
 * through the outbox, and POSTed to OMBUD_AUDIT_CHECKPOINT_URL if set. A copy goes into the
 * `audit_checkpoints` table for convenience; verification never trusts that copy, only the file.
 *
 * Daily checkpoints come from a timer in the server process (`startAuditCheckpoints`), not from a
 * schedule stored in the database: whoever can write the database must not be able to stop them.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import { errorFields, type Log } from '../../log.ts';
import {
  type Checkpoint,
  checkCheckpointLine,
  checkpointLine,
  signCheckpoint,
} from '../../core/audit/checkpoint.ts';
import { conflict, precondition } from '../../core/errors.ts';
import type { Db } from '../../storage/db.ts';
import type { RegisterCache } from '../register/currentRegister.ts';
import { deliverOutbox, enqueueMail } from '../mail/outbox.ts';
import { type Actor, type AuditHead, actorString, SYSTEM_ACTOR, walkAuditLog } from './auditLog.ts';
import { auditChainKeys, auditPaths, loadCheckpointKeys } from './keys.ts';
import { recordVerification } from './lastVerification.ts';

export const CHECKPOINT_FILE = 'checkpoints.jsonl';
/** Held while a process checks for (and makes) the daily checkpoint (`startAuditCheckpoints`). */
export const CHECKPOINT_LOCK = 'ombud:audit-checkpoint';

/**
 * What checkpoints take of the application (the App is one): the database, the register (the DPOs'
 * addresses), the clock and the mail settings. Declared here: app.ts builds the AuditTrust from this module.
 */
export type CheckpointHost = Readonly<{
  db: Db;
  registers: RegisterCache;
  now: () => Date;
  config: Pick<Config, 'smtpUrl' | 'mailFrom'>;
  log?: Log;
}>;

/** Where checkpoints are signed, verified and exported. */
export type AuditTrust = {
  signingKeyFile: string;
  publicKeyFile: string;
  checkpointDir: string;
  url?: string;
  /** Recipients of the checkpoint mail; undefined: the DPOs named in the register. */
  mailTo?: readonly string[];
  /** Create the signing key pair on the first checkpoint if there is none. */
  createKeys: boolean;
};

export function auditTrustOf(config: Config, opts: { createKeys: boolean }): AuditTrust {
  const p = auditPaths(config);
  return {
    signingKeyFile: p.signingKeyFile,
    publicKeyFile: p.publicKeyFile,
    checkpointDir: p.checkpointDir,
    url: config.audit?.checkpointUrl,
    mailTo: config.audit?.checkpointMail,
    createKeys: opts.createKeys,
  };
}

export type ExportedCheckpoints = {
  file: string;
  checkpoints: Checkpoint[];
  /** Lines that are not a checkpoint signed by a configured key. */
  problems: { line: number; problem: string; unknownKey: boolean }[];
};

/** The checkpoint file's lines, each signature checked with the configured public keys. */
export async function readExportedCheckpoints(trust: AuditTrust): Promise<ExportedCheckpoints> {
  const file = join(trust.checkpointDir, CHECKPOINT_FILE);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const { publicKeys } = loadCheckpointKeys(trust, { create: false });
  const out: ExportedCheckpoints = { file, checkpoints: [], problems: [] };
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const c = checkCheckpointLine(line, publicKeys);
    if (c.ok) out.checkpoints.push(c.checkpoint);
    else out.problems.push({ line: i + 1, problem: c.problem, unknownKey: /not among/.test(c.problem) });
  }
  return out;
}

export type CheckpointResult = {
  checkpoint: Checkpoint;
  line: string;
  file: string;
  mailedTo: string[];
  posted?: string;
  /** A signing key pair created for this checkpoint (the first one). */
  createdKey?: string;
};

async function appendLine(file: string, line: string): Promise<void> {
  const fh = await open(file, 'a', 0o644);
  try {
    await fh.write(`${line}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function dpoAddresses(app: CheckpointHost): Promise<string[]> {
  const reg = await app.registers.get();
  return [
    ...new Set(
      (reg?.index.register.organizations ?? []).map((o) => o.dpo?.email).filter((e): e is string => !!e),
    ),
  ];
}

/**
 * Verify the chain, then sign its head and export the checkpoint. Refuses (409) when the chain does
 * not verify: a checkpoint must never vouch for a rewritten log.
 */
export async function makeCheckpoint(
  app: CheckpointHost,
  trust: AuditTrust,
  by: Actor,
  opts: { onProgress?: (checked: number) => void } = {},
): Promise<CheckpointResult> {
  const keys = loadCheckpointKeys(trust, { create: trust.createKeys });
  if (!keys.signer)
    throw precondition(
      'no-audit-signing-key',
      `No audit signing key at ${trust.signingKeyFile}.`,
      'Set OMBUD_AUDIT_SIGNING_KEY to an Ed25519 private key (openssl genpkey -algorithm ed25519 -out audit-signing.key), or run `ombud audit checkpoint` once to create one.',
    );
  if (!auditChainKeys())
    throw precondition(
      'no-audit-key',
      'The audit chain key is not loaded: the chain cannot be verified before signing.',
      'Set OMBUD_SECRET_KEYS or OMBUD_AUDIT_KEY_FILE as the server has them.',
    );
  const exported = await readExportedCheckpoints(trust);
  if (exported.problems.length) {
    await recordVerification(app.db, { at: app.now().toISOString(), ok: false, count: 0, by: 'checkpoint' });
    throw conflict(
      'audit-checkpoints-broken',
      `The checkpoint file ${exported.file} line ${exported.problems[0]!.line} ${exported.problems[0]!.problem}.`,
      'Investigate before signing anything new: run `ombud audit verify`.',
    );
  }
  // From the last exported checkpoint on (its entry, hash and count checked): a day's entries, not the whole log.
  const last = exported.checkpoints.reduce<Checkpoint | undefined>(
    (m, c) => (!m || c.seq > m.seq ? c : m),
    undefined,
  );
  const walk = await walkAuditLog(app.db, {
    checkpoints: exported.checkpoints,
    from: last,
    onProgress: opts.onProgress,
  });
  await recordVerification(app.db, {
    at: app.now().toISOString(),
    ok: walk.ok,
    count: walk.count,
    by: 'checkpoint',
  });
  if (!walk.ok)
    throw conflict(
      'audit-log-broken',
      `The audit log does not verify (entry ${walk.seq}: ${walk.problem}); no checkpoint was signed.`,
      'Run `ombud audit verify` and investigate.',
    );
  const head = walk.head as AuditHead;
  const checkpoint = signCheckpoint(keys.signer.key, {
    seq: head.seq,
    count: head.count,
    hash: head.hash,
    // Everything after this head is written with a key (by this process or a later one): an unkeyed
    // entry after it is a forgery even while the log has no keyed entry yet (new or just-upgraded install).
    keyedFrom: walk.keyedFrom ?? head.seq + 1,
    at: app.now().toISOString(),
  });
  const line = checkpointLine(checkpoint);
  await mkdir(trust.checkpointDir, { recursive: true });
  await appendLine(exported.file, line);
  await app.db.query(
    `INSERT INTO audit_checkpoints (seq, count, hash, at, kid, line, made_by) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [checkpoint.seq, checkpoint.count, checkpoint.hash, checkpoint.at, checkpoint.kid, line, actorString(by)],
  );
  const mailedTo = trust.mailTo ? [...trust.mailTo] : await dpoAddresses(app);
  for (const to of mailedTo)
    await enqueueMail(
      app.db,
      {
        to,
        // The whole group's log: visible in the outbox only to someone with the role in every company.
        orgId: null,
        template: 'audit-checkpoint',
        lang: 'en',
        subject: `Ombud audit checkpoint: ${checkpoint.count} entries up to entry ${checkpoint.seq}`,
        body: [
          'This is a signed checkpoint of the Ombud audit log. Keep this mail: it lets anyone check later',
          'that the log up to this entry was not rewritten, even by someone who can write the database.',
          '',
          `Entries: ${checkpoint.count}, up to entry ${checkpoint.seq}`,
          `Hash of entry ${checkpoint.seq}: ${checkpoint.hash}`,
          `Made: ${checkpoint.at}; signed with key ${checkpoint.kid} (Ed25519)`,
          '',
          'The checkpoint (one line of checkpoints.jsonl):',
          line,
          '',
          'To check the log against it: append the line to a checkpoints.jsonl file, set',
          'OMBUD_AUDIT_CHECKPOINT_DIR to its folder and run `ombud audit verify`.',
        ].join('\n'),
      },
      app.now(),
    );
  // The checkpoint is made and exported; its mail stays in the outbox if SMTP fails now (logged by kind).
  if (mailedTo.length && app.config.smtpUrl)
    await deliverOutbox(
      app.db,
      { url: app.config.smtpUrl, from: app.config.mailFrom },
      app.now(),
      app.log,
    ).catch((err: unknown) => app.log?.warn(errorFields(err), 'mail: the outbox could not be delivered'));
  let posted: string | undefined;
  if (trust.url) {
    try {
      const res = await fetch(trust.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: line,
        signal: AbortSignal.timeout(10_000),
      });
      posted = res.ok ? 'ok' : `failed: HTTP ${res.status}`;
    } catch (err) {
      posted = `failed: ${(err as Error).name}`;
    }
  }
  return { checkpoint, line, file: exported.file, mailedTo, posted, createdKey: keys.created };
}

export type AuditVerification = Awaited<ReturnType<typeof walkAuditLog>> & {
  /** The last exported checkpoint the chain was checked against (null: none). */
  checkpoint: { seq: number; count: number; at: string; kid: string; file: string } | null;
  /** Where the chain keys came from (never the keys); empty when verifying without them. */
  keySources: string[];
  warnings: string[];
};

/**
 * `ombud audit verify` and `GET /api/v1/audit/verify`: the chain with the keys, and against every
 * checkpoint of the exported file (signatures checked with the public keys). Warnings say what could
 * not be checked: no key, no checkpoint, entries older than the keyed chain.
 */
export async function verifyAuditTrail(
  db: Db,
  trust: AuditTrust | undefined,
  opts: { pageSize?: number; onProgress?: (checked: number) => void; now?: () => Date } = {},
): Promise<AuditVerification> {
  const r = await verifyTrail(db, trust, opts);
  // For monitoring (/metrics): when it ran and whether it verified; not when it could not run here.
  if (!(!r.ok && r.cannotVerify))
    await recordVerification(db, {
      at: (opts.now ?? (() => new Date()))().toISOString(),
      ok: r.ok,
      count: r.count,
      by: 'verify',
    });
  return r;
}

async function verifyTrail(
  db: Db,
  trust: AuditTrust | undefined,
  opts: { pageSize?: number; onProgress?: (checked: number) => void },
): Promise<AuditVerification> {
  const chain = auditChainKeys();
  const warnings: string[] = [];
  if (!chain)
    warnings.push(
      'Verifying WITHOUT the audit chain key (OMBUD_SECRET_KEYS or the audit key file are not available here): keyed entries cannot be checked.',
    );
  let checkpoints: Checkpoint[] = [];
  let file: string | undefined;
  if (trust) {
    const exported = await readExportedCheckpoints(trust);
    file = exported.file;
    const bad = exported.problems[0];
    if (bad)
      return {
        ok: false,
        count: 0,
        seq: 0,
        problem: `the checkpoint file ${exported.file} line ${bad.line} ${bad.problem}`,
        ...(bad.unknownKey ? { cannotVerify: true } : {}),
        keyed: 0,
        unkeyed: 0,
        keyedFrom: null,
        checkpointsMatched: 0,
        checkpoint: null,
        keySources: chain?.sources ?? [],
        warnings,
      };
    checkpoints = exported.checkpoints;
    if (!checkpoints.length)
      warnings.push(
        `No exported checkpoint in ${exported.file}: a rewrite of the whole log, or a cut of its tail, cannot be ruled out. Run \`ombud audit checkpoint\`.`,
      );
    const [inDb] = await db.query<{ seq: string | number | null }>(
      'SELECT max(seq) AS seq FROM audit_checkpoints',
    );
    const lastFile = checkpoints.reduce((m, c) => Math.max(m, c.seq), 0);
    if (inDb?.seq !== null && inDb?.seq !== undefined && Number(inDb.seq) > lastFile)
      warnings.push(
        `The database lists a checkpoint up to entry ${inDb.seq}, the exported file only up to ${lastFile || 'none'}: is this the right checkpoint file (OMBUD_AUDIT_CHECKPOINT_DIR)?`,
      );
  } else warnings.push('No checkpoint file is configured here: the chain was verified without a checkpoint.');
  const walk = await walkAuditLog(db, { pageSize: opts.pageSize, checkpoints, onProgress: opts.onProgress });
  if (walk.unkeyed)
    warnings.push(
      `${walk.unkeyed} entries predate the keyed chain: they were checked as the plain SHA-256 chain they were written with.`,
    );
  const last = checkpoints.at(-1);
  return {
    ...walk,
    checkpoint: last && file ? { seq: last.seq, count: last.count, at: last.at, kid: last.kid, file } : null,
    keySources: chain?.sources ?? [],
    warnings,
  };
}

/**
 * The daily checkpoint: on start, then every hour a check whether the exported file has one made
 * today (UTC); if not, one is made. Errors go to `onError` (the server logs them) and are retried
 * at the next check. Several worker processes each run this timer: a check runs only while no other
 * process is checking (a lock on the database; one that is busy skips to its next check), so workers
 * sharing a checkpoint directory sign one a day between them.
 */
export function startAuditCheckpoints(
  app: CheckpointHost,
  trust: AuditTrust,
  opts: {
    intervalMs?: number;
    onCheckpoint?: (r: CheckpointResult) => void;
    onError?: (err: unknown) => void;
  } = {},
): { first: Promise<void>; stop: () => void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await app.db.tryLock(CHECKPOINT_LOCK, async () => {
        const { checkpoints } = await readExportedCheckpoints(trust);
        const last = checkpoints.at(-1);
        const today = app.now().toISOString().slice(0, 10);
        if (!last || last.at.slice(0, 10) < today)
          opts.onCheckpoint?.(await makeCheckpoint(app, trust, SYSTEM_ACTOR));
      });
    } catch (err) {
      opts.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return { first: tick(), stop: () => clearInterval(timer) };
}
