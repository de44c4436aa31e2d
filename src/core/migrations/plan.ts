/**
 * Which migrations a database still needs, and when it must refuse to migrate at all. One rule for Ombud's
 * own database (src/storage/migrate.ts, numbered SQL files) and for the tables Ombud keeps in the group's
 * databases (src/services/fulfilment/ownTables.ts, numbered steps per dialect):
 *
 * - every migration that ran is recorded with the sha256 of its text; when the text changed since, the
 *   database ran something else than a new database would run: refused;
 * - a migration that has not run but sorts before the newest one that has would run in another order here
 *   than on a new database: refused;
 * - a migration that ran but is no longer known: the database was migrated by another (newer) Ombud, whose
 *   schema this one does not know: refused (a warning would let older code write to a newer schema);
 * - a migration recorded before checksums were kept (checksum null) takes the checksum of today's text on
 *   this run (trust on first use: nothing tells what it ran with).
 *
 * Pure: the callers read the files or steps and the recorded rows.
 */
import { createHash } from 'node:crypto';
import { OmbudError } from '../errors.ts';

export type KnownMigration = { version: string; checksum: string };
export type AppliedMigration = { version: string; checksum: string | null };

export type MigrationProblem =
  | { kind: 'changed'; version: string; recorded: string; found: string }
  | { kind: 'out-of-order'; version: string; newestApplied: string }
  | { kind: 'missing'; version: string };

export type MigrationPlan = {
  /** To run, in this order. */
  pending: string[];
  /** Ran before checksums were kept: their checksum is recorded now. */
  backfill: KnownMigration[];
  problems: MigrationProblem[];
};

/**
 * The checksum of a migration's text: sha256, hex, of the text with its line ends as `\n` (a checkout that
 * turns them into `\r\n` changes no migration).
 */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** Versions sort as text: numbered files and steps have zero-padded numbers. */
const byVersion = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `allowLate`: migrations known to have been numbered before others that ran earlier, before this guard
 * existed, and checked by hand to give the same schema in either order; they run late without a refusal.
 */
export function planMigrations(
  known: readonly KnownMigration[],
  applied: readonly AppliedMigration[],
  opts: { allowLate?: ReadonlySet<string> } = {},
): MigrationPlan {
  const knownBy = new Map(known.map((m) => [m.version, m]));
  const appliedBy = new Map(applied.map((m) => [m.version, m]));
  const problems: MigrationProblem[] = [];
  const backfill: KnownMigration[] = [];
  for (const a of [...applied].sort((x, y) => byVersion(x.version, y.version))) {
    const k = knownBy.get(a.version);
    if (!k) problems.push({ kind: 'missing', version: a.version });
    else if (a.checksum === null) backfill.push(k);
    else if (a.checksum !== k.checksum)
      problems.push({ kind: 'changed', version: a.version, recorded: a.checksum, found: k.checksum });
  }
  const newestApplied = applied
    .map((a) => a.version)
    .sort(byVersion)
    .at(-1);
  const pending = known
    .map((k) => k.version)
    .filter((v) => !appliedBy.has(v))
    .sort(byVersion);
  if (newestApplied !== undefined)
    for (const v of pending)
      if (byVersion(v, newestApplied) < 0 && !opts.allowLate?.has(v))
        problems.push({ kind: 'out-of-order', version: v, newestApplied });
  return { pending, backfill, problems };
}

const CODES: Record<MigrationProblem['kind'], string> = {
  changed: 'migration-changed',
  'out-of-order': 'migration-out-of-order',
  missing: 'migration-missing',
};

/**
 * The refusal for a plan's problems: one error naming every problem (file, expected and found checksum,
 * the newest applied), with what to do. `where` names the migrations (a folder, or the tables of a
 * system's database); `database` names the database in the messages.
 */
export function migrationRefusal(
  problems: readonly MigrationProblem[],
  ctx: { where: string; database: string; newestKnown?: string },
): OmbudError {
  const first = problems[0]!;
  const issues = problems.map((p) => ({
    path: [p.version],
    message: problemMessage(p, ctx),
    hint: problemHint(p, ctx),
  }));
  const kinds = [...new Set(problems.map((p) => p.kind))];
  const what = kinds
    .map((k) =>
      k === 'changed'
        ? 'a migration that ran was changed'
        : k === 'out-of-order'
          ? 'a new migration sorts before one that ran'
          : 'a migration that ran is not known here',
    )
    .join('; ');
  return new OmbudError(
    'precondition',
    CODES[first.kind],
    `Refusing to migrate ${ctx.database} (${ctx.where}): ${what}. Nothing was changed.`,
    {
      issues,
      hint: 'A migration that ran is never edited, renumbered or removed: each change is a new migration numbered after the newest one that ran, so every database runs the same migrations in the same order.',
    },
  );
}

function problemMessage(p: MigrationProblem, ctx: { database: string }): string {
  switch (p.kind) {
    case 'changed':
      return `changed after it ran on ${ctx.database}: it ran with sha256 ${p.recorded}, it now has sha256 ${p.found}`;
    case 'out-of-order':
      return `has not run on ${ctx.database}, but the later ${p.newestApplied} has: a new database runs it before ${p.newestApplied}, this one would run it after`;
    case 'missing':
      return `ran on ${ctx.database}, but this Ombud does not have it: the database was migrated by another (newer) version of Ombud`;
  }
}

function problemHint(p: MigrationProblem, ctx: { where: string; newestKnown?: string }): string {
  switch (p.kind) {
    case 'changed':
      return `put ${p.version} in ${ctx.where} back as it was when it ran (see its history in git), and make the change in a new migration numbered after ${ctx.newestKnown ?? 'the newest one'}`;
    case 'out-of-order':
      return `renumber ${p.version} after ${p.newestApplied} (a development database may instead be started anew)`;
    case 'missing':
      return `run the Ombud version that migrated this database (or a newer one), or restore the backup taken before that upgrade`;
  }
}
