import { formatFindings } from '../../core/register/parse.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { findingJson } from '../findings.ts';

export const run: Run<(typeof COMMANDS)['register validate']> = async ({ values, positionals }, io) => {
  const result = await readRegisterDir(positionals[0]!);
  const shown = values.quiet ? result.findings.filter((f) => f.severity !== 'info') : result.findings;
  const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const summary = `${result.sources.length} files: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes.`;
  const r = result.register;
  const valid =
    result.ok && r
      ? ` Valid: ${r.organizations.length} organizations, ${r.purposes.length} purposes, ${r.systems.length} systems, ${r.cookies.length} cookies.`
      : ' The register is not valid; nothing was stored.';
  if (values.json) {
    printJson(io, {
      ok: result.ok,
      files: result.sources.length,
      errors: count('error'),
      warnings: count('warning'),
      notes: count('info'),
      findings: shown.map(findingJson),
      summary: `${summary}${valid}`,
    });
    return result.ok ? 0 : 1;
  }
  if (shown.length > 0) (result.ok ? io.out : io.err)(formatFindings(shown));
  if (!result.ok) {
    io.err(`${summary}${valid}`);
    return 1;
  }
  io.out(`${summary}${valid}`);
  return 0;
};
