/**
 * `ombud connector validate` and `ombud connector import`: declarative SaaS connectors checked before any
 * request runs, and Fides' saas_config turned into one (docs/connectors/saas.md).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fidesMaskedFields, importFidesSaasConfig } from '../../core/connectors/fides.ts';
import {
  type ConnectorFinding,
  checkConnector,
  connectorSchema,
  parseConnector,
  supportedActions,
} from '../../core/connectors/saas.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';

const line = (f: ConnectorFinding) =>
  `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message}${f.hint ? ` ${f.hint}` : ''}`;

async function filesOf(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new UsageError(`no such file or folder: ${p}`);
    if (st.isDirectory()) {
      const files = (await readdir(p)).filter((f) => /\.ya?ml$/.test(f)).sort();
      if (!files.length) throw new UsageError(`the folder ${p} holds no .yaml files.`);
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  return out;
}

export const validate: Run<(typeof COMMANDS)['connector validate']> = async ({ values, positionals }, io) => {
  const findings: ConnectorFinding[] = [];
  const connectors: { file: string; connector: string; actions: string[]; collections: number }[] = [];
  for (const file of await filesOf(positionals)) {
    const r = parseConnector({ path: file, text: await readFile(file, 'utf8') });
    findings.push(...r.findings);
    if (r.connector)
      connectors.push({
        file,
        connector: r.connector.connector,
        actions: supportedActions(r.connector),
        collections: Object.keys(r.connector.collections).length,
      });
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (values.json) {
    printJson(io, { ok: errors === 0, connectors, errors, warnings: findings.length - errors, findings });
    return errors ? 1 : 0;
  }
  for (const f of findings) (f.severity === 'error' ? io.err : io.out)(line(f));
  for (const c of connectors)
    io.out(
      `${c.file}: ${c.connector}, ${c.collections} collection(s): ${c.actions.join(', ') || 'nothing'}.`,
    );
  io.out(`${connectors.length} connector(s): ${errors} error(s), ${findings.length - errors} warning(s).`);
  return errors ? 1 : 0;
};

export const importFides: Run<(typeof COMMANDS)['connector import']> = async (
  { values, positionals },
  io,
) => {
  const file = positionals[0]!;
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`no such file: ${file}`);
  });
  const masked = values.dataset ? fidesMaskedFields(await readFile(values.dataset, 'utf8')) : undefined;
  const r = importFidesSaasConfig({ path: file, text }, { masked });
  const findings = [...r.findings];
  let yaml: string | undefined;
  let actions: string[] = [];
  if (r.connector) {
    const checked = connectorSchema.safeParse(r.connector);
    if (!checked.success)
      for (const i of checked.error.issues)
        findings.push({
          severity: 'error',
          file,
          line: 1,
          column: 1,
          message: `the result: ${i.path.join('.')}: ${i.message}`,
        });
    else {
      findings.push(
        ...checkConnector(checked.data, file, () => ({ line: 1, column: 1 })).map((f) => ({
          ...f,
          message: `the result: ${f.message}`,
        })),
      );
      actions = supportedActions(checked.data);
    }
    yaml = `# Imported from the Fides saas_config ${file} by \`ombud connector import\`.\n# Replace each doc with the vendor's document of the endpoint.\n${stringify(r.connector, { lineWidth: 0 })}`;
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (yaml && !errors && values.out) await writeFile(values.out, yaml);
  if (values.json) {
    printJson(io, {
      ok: errors === 0,
      connector: r.connector?.connector ?? null,
      actions,
      errors,
      warnings: findings.length - errors,
      findings,
      out: !errors && values.out ? values.out : null,
    });
    return errors ? 1 : 0;
  }
  for (const f of findings) io.err(line(f));
  if (yaml && !errors && !values.out) io.out(yaml);
  if (!errors)
    io.err(
      `Imported ${r.connector!.connector}: ${actions.join(', ') || 'nothing'}${values.out ? ` → ${values.out}` : ''}.`,
    );
  return errors ? 1 : 0;
};
