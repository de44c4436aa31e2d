/**
 * `ombud start` for the group's own installation (docs/systems.md): the register of `--register DIR`
 * applied, and the systems of the systems file (`--systems FILE`, or ombud.yaml in the register folder)
 * opened and checked, with their HTTP connectors stored. The workers then run over them exactly as over
 * the demo's systems (src/services/systems/startWorkers.ts).
 */
import type { App } from '../app.ts';
import { formatFindings, parseRegisterFiles } from '../core/register/parse.ts';
import { formatFinding } from '../core/retention/annotations.ts';
import { parseKeyring } from '../core/secrets/envelope.ts';
import { describeUrl } from '../core/systems/config.ts';
import { CLI_ACTOR } from '../services/audit/auditLog.ts';
import { applyRegister } from '../services/register/applyRegister.ts';
import { readRegisterSources } from '../services/register/readRegisterDir.ts';
import { loadSystems, systemsFileFor } from '../services/systems/config.ts';
import { applyConfiguredConnectors, applySaasConnectors } from '../services/systems/connectors.ts';
import { type OpenSystems, openConfiguredSystems, SystemsOpenError } from '../services/systems/open.ts';
import type { CliIo } from './io.ts';

/** Apply the register of `dir` (a new revision only when it changed); false, with the findings said, when it is not valid. */
export async function applyRegisterAtStart(app: App, dir: string, io: CliIo): Promise<boolean> {
  const sources = await readRegisterSources(dir);
  const parsed = parseRegisterFiles(sources);
  if (!parsed.ok) {
    io.err(formatFindings(parsed.findings.filter((f) => f.severity === 'error')));
    io.err(`The register in ${dir} is not valid; Ombud did not start.`);
    return false;
  }
  const r = await applyRegister(app.db, CLI_ACTOR, sources);
  io.out(
    r.changed
      ? `Register of ${dir} applied: revision ${r.revision} (${r.changes.length} changes).`
      : `Register of ${dir}: unchanged, revision ${r.revision}.`,
  );
  return true;
}

/**
 * The group's own installation at a start: its register applied (with `register`) and its systems opened
 * (openGroupSystems); false when it cannot start (said).
 */
export async function groupInstallation(
  app: App,
  opts: { register?: string; systems?: string },
  io: CliIo,
): Promise<OpenSystems | undefined | false> {
  if (opts.register && !(await applyRegisterAtStart(app, opts.register, io))) return false;
  return openGroupSystems(app, opts, io);
}

/**
 * The group's systems for the workers, or undefined (none configured: said clearly), or false when they
 * cannot be used (the findings said; nothing left open).
 */
export async function openGroupSystems(
  app: App,
  opts: { register?: string; systems?: string },
  io: CliIo,
): Promise<OpenSystems | undefined | false> {
  const file = systemsFileFor(opts);
  if (!file) {
    io.out(
      `No systems are connected (no systems file: give --systems FILE, or put ombud.yaml in the register folder; docs/systems.md). Verified requests wait for an agent to carry them out, and no retention run is scheduled.`,
    );
    return undefined;
  }
  const reg = await app.registers.get();
  if (!reg) {
    io.err(
      `No register is stored: the systems of ${file} need one. Start with --register DIR, or run ombud register apply DIR first.`,
    );
    return false;
  }
  const loaded = await loadSystems(file, { env: process.env, register: reg.index.register });
  for (const f of loaded.findings) (f.severity === 'error' ? io.err : io.out)(formatFinding(f));
  if (loaded.findings.some((f) => f.severity === 'error')) {
    io.err(
      `The systems file ${file} has errors (above); Ombud did not start. ombud systems check tells more.`,
    );
    return false;
  }
  let systems: OpenSystems;
  try {
    systems = await openConfiguredSystems(loaded, { register: reg.index.register });
  } catch (err) {
    if (!(err instanceof SystemsOpenError)) throw err;
    for (const f of err.findings) io.err(formatFinding(f));
    io.err(`${err.message} Ombud did not start; ombud systems check tells more.`);
    return false;
  }
  try {
    const ring = app.config.secretKeys ? parseKeyring(app.config.secretKeys) : undefined;
    const c = await applyConfiguredConnectors(app.db, ring, CLI_ACTOR, loaded.connectors);
    if (c.saved.length) io.out(`HTTP connectors stored: ${c.saved.join(', ')}.`);
    const saas = await applySaasConnectors(app.db, ring, CLI_ACTOR, loaded.saas);
    if (saas.length) io.out(`SaaS connectors stored: ${saas.join(', ')}.`);
  } catch (err) {
    await systems.close();
    throw err;
  }
  const names = loaded.connections.map((c) => `${c.key} (${describeUrl(c.url) ?? 'database'})`);
  io.out(
    `Systems of ${file}: ${names.join(', ')}${loaded.connectors.length ? `; HTTP connectors ${loaded.connectors.map((c) => c.systemId).join(', ')}` : ''}. Fulfilment, retention and the subject locator run over them.`,
  );
  return systems;
}
