/** A connector file read and parsed (src/core/connectors/saas.ts); its findings located at file:line:column. */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { type ConnectorFinding, parseConnector, type SaasConnector } from '../../core/connectors/saas.ts';
import { OmbudError } from '../../core/errors.ts';

export async function readConnectorFile(
  file: string,
): Promise<{ connector?: SaasConnector; findings: ConnectorFinding[]; text: string }> {
  const text = await readFile(file, 'utf8');
  const shown = relative(process.cwd(), file) || file;
  return { ...parseConnector({ path: shown.startsWith('..') ? file : shown, text }), text };
}

/** The connector of a file, or an error listing its findings (file:line:column). */
export async function loadConnectorFile(file: string): Promise<SaasConnector> {
  const { connector, findings } = await readConnectorFile(file);
  const errors = findings.filter((f) => f.severity === 'error');
  if (!connector || errors.length)
    throw new OmbudError('validation', 'invalid-connector', `The connector ${file} is not valid.`, {
      issues: errors.map((f) => ({ path: [`${f.file}:${f.line}:${f.column}`], message: f.message })),
      hint: `Run: ombud connector validate ${file}`,
    });
  return connector;
}
