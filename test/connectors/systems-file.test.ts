/**
 * A SaaS connector in the systems file (`saas:` of ombud.yaml): the connector file read relative to it,
 * the secrets given as ${env:…}/${file:…} references and resolved (never printed), what the connector
 * declares matched, and every problem located at file:line:column.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSystems } from '../../src/services/systems/config.ts';

/** A reference of the systems file: ${env:NAME} or ${file:PATH}. */
const ref = (r: string) => `$${'{'}${r}}`;

async function systemsFile(saas: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ombud-saas-sys-'));
  const file = join(dir, 'ombud.yaml');
  await writeFile(join(dir, 'hubspot-token'), 'pat-from-file\n');
  await writeFile(
    file,
    [
      `datasets: ${resolve('examples/nestit/datasets')}`,
      'saas:',
      ...saas.split('\n').map((l) => `  ${l}`),
    ].join('\n'),
  );
  return file;
}

describe('SaaS connectors in the systems file', () => {
  it('resolves the connector and its secret references', async () => {
    const file = await systemsFile(
      [
        'messaging:',
        `  connector: ${resolve('connectors/mailchimp.yaml')}`,
        '  settings: { dc: us21 }',
        `  secrets: { api_key: "${ref('env:MAILCHIMP_KEY')}" }`,
        'crm:',
        `  connector: ${resolve('connectors/hubspot.yaml')}`,
        `  secrets: { access_token: "${ref('file:hubspot-token')}" }`,
      ].join('\n'),
    );
    const loaded = await loadSystems(file, { env: { MAILCHIMP_KEY: 'k-us21' } });
    expect(loaded.findings.filter((f) => f.message.startsWith('saas'))).toEqual([]);
    expect(loaded.saas.map((s) => [s.systemId, s.connector.connector, s.settings, s.secrets])).toEqual([
      ['messaging', 'mailchimp', { dc: 'us21' }, { api_key: 'k-us21' }],
      ['crm', 'hubspot', {}, { access_token: 'pat-from-file' }],
    ]);
  });

  it('a missing variable and a plain secret are said at their lines', async () => {
    const file = await systemsFile(
      [
        'messaging:', //                                                   3
        `  connector: ${resolve('connectors/mailchimp.yaml')}`,
        `  secrets: { api_key: "${ref('env:NOT_SET')}" }`, //                       5
        'crm:',
        `  connector: ${resolve('connectors/hubspot.yaml')}`,
        '  secrets: { access_token: plain-token }', //                      8
      ].join('\n'),
    );
    const loaded = await loadSystems(file, { env: {} });
    const said = loaded.findings
      .filter((f) => f.message.startsWith('saas'))
      .map((f) => `${f.line}:${f.column} ${f.severity} ${f.message}`);
    expect(said).toEqual([
      '8:30 warning saas.crm.secrets.access_token: the secret is written in the file.',
      '5:25 error saas.messaging.secrets.api_key: the environment variable NOT_SET is not set.',
    ]);
    expect(loaded.findings.map((f) => f.message).join('\n')).not.toContain('plain-token');
    expect(loaded.saas.map((s) => s.systemId)).toEqual(['crm']);
  });
});
