/** A register finding as the CLI's `--json` prints it: where (file:line:column), what and how to fix it. */
import type { LocatedFinding } from '../core/register/parse.ts';

export const findingJson = (f: LocatedFinding) => ({
  file: f.file,
  line: f.line,
  column: f.column,
  severity: f.severity,
  code: f.code,
  message: f.message,
  hint: f.hint,
  target: f.target,
});
