import { parseArgs } from 'node:util';
import { formatFindings, parseRegisterFiles } from '../../core/register/parse.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { applyRegister } from '../../services/register/applyRegister.ts';
import { readRegisterSources } from '../../services/register/readRegisterDir.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (!positionals[0]) {
    io.err(
      'ombud register apply: give the register folder, e.g. ombud register apply examples/nestit/register',
    );
    return 2;
  }
  const sources = await readRegisterSources(positionals[0]);
  const parsed = parseRegisterFiles(sources);
  if (!parsed.ok) {
    io.err(formatFindings(parsed.findings.filter((f) => f.severity === 'error')));
    io.err('The register is not valid; nothing was stored.');
    return 1;
  }
  return withApp(async (app) => {
    const result = await applyRegister(app.db, CLI_ACTOR, sources);
    const warnings = result.findings.filter((f) => f.severity === 'warning');
    if (warnings.length > 0) io.err(formatFindings(warnings));
    if (!result.changed) {
      io.out(`Unchanged: the register equals revision ${result.revision}; nothing was stored.`);
      return 0;
    }
    io.out(`Stored register revision ${result.revision} (${result.changes.length} changes).`);
    for (const c of result.changes)
      io.out(`  ${c.change.padEnd(7)} ${c.section}/${c.id}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
    return 0;
  });
}
