import { formatFindings, parseRegisterFiles } from '../../core/register/parse.ts';
import { findingJson } from '../findings.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { applyRegister } from '../../services/register/applyRegister.ts';
import { readRegisterSources } from '../../services/register/readRegisterDir.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['register apply']> = async ({ values, positionals }, io) => {
  const sources = await readRegisterSources(positionals[0]!);
  const parsed = parseRegisterFiles(sources);
  if (!parsed.ok) {
    const errors = parsed.findings.filter((f) => f.severity === 'error');
    io.err(formatFindings(errors));
    io.err('The register is not valid; nothing was stored.');
    if (values.json) printJson(io, { ok: false, changed: false, findings: errors.map(findingJson) });
    return 1;
  }
  return withApp(async (app) => {
    const result = await applyRegister(app.db, CLI_ACTOR, sources);
    const warnings = result.findings.filter((f) => f.severity === 'warning');
    if (warnings.length > 0) io.err(formatFindings(warnings));
    if (values.json) {
      printJson(io, {
        ok: true,
        changed: result.changed,
        revision: result.revision,
        changes: result.changes,
        warnings: warnings.map(findingJson),
      });
      return 0;
    }
    if (!result.changed) {
      io.out(`Unchanged: the register equals revision ${result.revision}; nothing was stored.`);
      return 0;
    }
    io.out(`Stored register revision ${result.revision} (${result.changes.length} changes).`);
    for (const c of result.changes)
      io.out(`  ${c.change.padEnd(7)} ${c.section}/${c.id}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
    return 0;
  });
};
