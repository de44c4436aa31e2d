import { parseArgs } from 'node:util';
import { formatFindings } from '../../core/register/parse.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { CliIo } from '../io.ts';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { quiet: { type: 'boolean', short: 'q' } },
  });
  const dir = positionals[0];
  if (!dir) {
    io.err(
      'ombud register validate: give the register folder, e.g. ombud register validate examples/nestit/register',
    );
    return 2;
  }
  const result = await readRegisterDir(dir);
  const shown = values.quiet ? result.findings.filter((f) => f.severity !== 'info') : result.findings;
  if (shown.length > 0) (result.ok ? io.out : io.err)(formatFindings(shown));
  const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const summary = `${result.sources.length} files: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes.`;
  if (!result.ok) {
    io.err(`${summary} The register is not valid; nothing was stored.`);
    return 1;
  }
  const r = result.register!;
  io.out(
    `${summary} Valid: ${r.organizations.length} organizations, ${r.purposes.length} purposes, ${r.systems.length} systems, ${r.cookies.length} cookies.`,
  );
  return 0;
}
