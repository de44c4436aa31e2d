import { parseArgs } from 'node:util';
import { diffRegisters } from '../../core/register/diff.ts';
import type { Register } from '../../core/register/schema.ts';
import { formatFindings } from '../../core/register/parse.ts';
import { currentRegister, registerRevision } from '../../services/register/currentRegister.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
  });
  return withApp(async (app) => {
    let before: Register | undefined;
    let after: Register;
    let label: string;
    if (positionals[0]) {
      const parsed = await readRegisterDir(positionals[0]);
      if (!parsed.ok) {
        io.err(formatFindings(parsed.findings.filter((f) => f.severity === 'error')));
        return 1;
      }
      const cur = await currentRegister(app.db);
      before = cur?.register;
      after = parsed.register!;
      label = `stored revision ${cur?.revision ?? '(none)'} → ${positionals[0]}`;
    } else {
      const cur = await currentRegister(app.db);
      const to = values.to ? Number(values.to) : cur?.revision;
      const from = values.from ? Number(values.from) : to !== undefined ? to - 1 : undefined;
      const b = from ? await registerRevision(app.db, from) : undefined;
      const a = to ? await registerRevision(app.db, to) : undefined;
      if (!a) {
        io.err(
          'ombud register diff: no such revision. Give a folder, or --from N --to M of stored revisions.',
        );
        return 1;
      }
      before = b?.register;
      after = a.register;
      label = `revision ${b?.revision ?? '(none)'} → ${a.revision}`;
    }
    const changes = diffRegisters(before, after);
    if (values.json) io.out(JSON.stringify(changes, null, 2));
    else {
      io.out(`${label}: ${changes.length === 0 ? 'no changes' : `${changes.length} changes`}`);
      for (const c of changes)
        io.out(`  ${c.change.padEnd(7)} ${c.section}/${c.id}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
    }
    return 0;
  });
}
