import { diffRegisters } from '../../core/register/diff.ts';
import { formatFindings } from '../../core/register/parse.ts';
import type { Register } from '../../core/register/schema.ts';
import { currentRegister, registerRevision } from '../../services/register/currentRegister.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { withApp } from '../with-app.ts';

const revisionNumber = (option: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`--${option} takes a revision number (got '${v}').`);
  return Number(v);
};

export const run: Run<(typeof COMMANDS)['register diff']> = async ({ values, positionals }, io) => {
  if (positionals[0] && (values.from || values.to))
    throw new UsageError('give a folder, or --from/--to of stored revisions, not both.');
  const fromOption = revisionNumber('from', values.from);
  const toOption = revisionNumber('to', values.to);
  return withApp(async (app) => {
    let before: Register | undefined;
    let after: Register;
    let from: number | null;
    let to: number | string;
    if (positionals[0]) {
      const parsed = await readRegisterDir(positionals[0]);
      if (!parsed.ok) {
        io.err(formatFindings(parsed.findings.filter((f) => f.severity === 'error')));
        io.err('ombud register diff: the folder is not a valid register.');
        return 1;
      }
      const cur = await currentRegister(app.db);
      before = cur?.register;
      after = parsed.register!;
      from = cur?.revision ?? null;
      to = positionals[0];
    } else {
      const cur = await currentRegister(app.db);
      const toN = toOption ?? cur?.revision;
      const fromN = fromOption ?? (toN !== undefined ? toN - 1 : undefined);
      const b = fromN ? await registerRevision(app.db, fromN) : undefined;
      const a = toN ? await registerRevision(app.db, toN) : undefined;
      if (!a) {
        io.err(
          'ombud register diff: no such revision. Give a folder, or --from N --to M of stored revisions.',
        );
        return 1;
      }
      before = b?.register;
      after = a.register;
      from = b?.revision ?? null;
      to = a.revision;
    }
    const changes = diffRegisters(before, after);
    if (values.json) printJson(io, { from, to, changes });
    else {
      const label = positionals[0]
        ? `stored revision ${from ?? '(none)'} → ${to}`
        : `revision ${from ?? '(none)'} → ${to}`;
      io.out(`${label}: ${changes.length === 0 ? 'no changes' : `${changes.length} changes`}`);
      for (const c of changes)
        io.out(`  ${c.change.padEnd(7)} ${c.section}/${c.id}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
    }
    return 0;
  });
};
