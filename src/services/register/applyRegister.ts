import { contentHash, sha256 } from '../../core/canonical.ts';
import { validationError } from '../../core/errors.ts';
import { type ParseResult, parseRegisterFiles, type SourceFile } from '../../core/register/parse.ts';
import { diffRegisters, type RegisterChange } from '../../core/register/diff.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, actorString, recordAudit } from '../audit/auditLog.ts';
import { currentRegister, registerApplied } from './currentRegister.ts';

export type ApplyResult = {
  revision: number;
  changed: boolean;
  changes: RegisterChange[];
  findings: ParseResult['findings'];
};

/**
 * Store a new register revision from YAML sources. Invalid sources store nothing;
 * sources whose content equals the current revision change nothing.
 */
export async function applyRegister(db: Db, actor: Actor, sources: SourceFile[]): Promise<ApplyResult> {
  const parsed = parseRegisterFiles(sources);
  if (!parsed.ok || !parsed.register) {
    throw validationError(
      'register-invalid',
      `The register has ${parsed.findings.filter((f) => f.severity === 'error').length} error(s); nothing was stored.`,
      parsed.findings
        .filter((f) => f.severity === 'error')
        .map((f) => ({
          path: [`${f.file}:${f.line}:${f.column}`],
          message: `${f.code}: ${f.message}`,
          hint: f.hint,
        })),
      'Run `ombud register validate DIR` and fix each error.',
    );
  }
  const register = parsed.register;
  const hash = contentHash(register);
  const result = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(4242003)');
    const current = await currentRegister(tx);
    if (current && current.contentHash === hash)
      return { revision: current.revision, changed: false, changes: [], findings: parsed.findings };
    const changes = diffRegisters(current?.register, register);
    const rows = await tx.query<{ id: number }>(
      'INSERT INTO register_revisions (content_hash, register, sources, findings, applied_by) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [
        hash,
        JSON.stringify(register),
        JSON.stringify(sources.map((s) => ({ path: s.path, sha256: sha256(s.text) }))),
        JSON.stringify(parsed.findings.filter((f) => f.severity !== 'error')),
        actorString(actor),
      ],
    );
    const revision = rows[0]!.id;
    await recordAudit(tx, {
      actor,
      action: 'register.apply',
      target: `register-revision:${revision}`,
      details: { contentHash: hash, changes: changes.length },
    });
    return { revision, changed: true, changes, findings: parsed.findings };
  });
  // After the commit: register caches in this process read the new head on their next call.
  if (result.changed) registerApplied();
  return result;
}
