import { formatFinding } from '../../core/retention/annotations.ts';
import type { Register } from '../../core/register/schema.ts';
import { formatFindings } from '../../core/register/parse.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import { checkSystems, type SystemCheck } from '../../services/systems/check.ts';
import { loadSystems, systemsFileFor } from '../../services/systems/config.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';

const STATUS: Record<SystemCheck['status'], string> = { ok: 'OK', fail: 'FAIL', warn: 'WARN' };

/** The checks as a table: target, check, result, detail (with the place in the files of a failure). */
export function checkTable(checks: SystemCheck[]): string[] {
  const rows = [
    ['SYSTEM', 'CHECK', 'RESULT', 'DETAIL'],
    ...checks.map((c) => [
      c.target,
      c.check,
      STATUS[c.status],
      `${c.detail}${c.at && c.status !== 'ok' ? ` (${c.at.file}:${c.at.line}:${c.at.column})` : ''}`,
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  '));
}

/**
 * ombud systems check: the systems file read and its references resolved, every database connected to
 * and every annotation tried on it (nothing changed), every HTTP connector's address tried. Exit 1 on a
 * failure or an error in the files.
 */
export const run: Run<(typeof COMMANDS)['systems check']> = async ({ values }, io) => {
  const file = systemsFileFor({ systems: values.systems, register: values.register });
  if (!file)
    throw new UsageError(
      values.register
        ? `no systems file: ${values.register} holds no ombud.yaml; give --systems FILE.`
        : 'say which systems file: --systems FILE (or OMBUD_SYSTEMS), or --register DIR holding ombud.yaml.',
    );
  let register: Register | undefined;
  if (values.register) {
    const r = await readRegisterDir(values.register);
    if (!r.register) {
      io.err(formatFindings(r.findings.filter((f) => f.severity === 'error')));
      io.err('ombud systems check: the register is not valid; run ombud register validate first.');
      if (values.json) printJson(io, { ok: false, file, findings: [], checks: [] });
      return 1;
    }
    register = r.register;
  }
  const loaded = await loadSystems(file, { env: process.env, register });
  const checks = await checkSystems(loaded, { register });
  const errors = loaded.findings.filter((f) => f.severity === 'error').length;
  const failed = checks.filter((c) => c.status === 'fail').length;
  const ok = errors === 0 && failed === 0;
  if (values.json) {
    printJson(io, {
      ok,
      file,
      findings: loaded.findings,
      checks: checks.map(({ at, ...c }) => ({ ...c, ...(at ?? {}) })),
    });
    return ok ? 0 : 1;
  }
  for (const f of loaded.findings) (f.severity === 'error' ? io.err : io.out)(formatFinding(f));
  if (checks.length) io.out(checkTable(checks).join('\n'));
  io.out(
    `${file}: ${loaded.connections.length} databases, ${loaded.datasets.length} datasets, ${loaded.connectors.length} connectors; ` +
      `${checks.length - failed} checks OK, ${failed} failed${errors ? `, ${errors} errors in the files` : ''}${register ? '' : ' (annotations not checked against a register: give --register DIR)'}.`,
  );
  return ok ? 0 : 1;
};
