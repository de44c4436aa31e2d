/**
 * `ombud connector validate` (findings at file:line:column, nothing sent) and `ombud connector import` of a
 * config in Fides' saas_config format, which then runs against the Mailchimp contract server: the exact
 * requests of its read and its masking update are compared with a list written by hand.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseConnector } from '../../src/core/connectors/saas.ts';
import { SaasClient } from '../../src/services/connectors/saas.ts';
import { captureIo } from '../support/cli.ts';
import { type SaasServer, startSaasServer } from '../support/saas-server.ts';

let server: SaasServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ombud connector validate', () => {
  it('passes every connector of the catalogue', async () => {
    const c = captureIo();
    const code = await main(['connector', 'validate', 'connectors', '--json'], c.io);
    const out = JSON.parse(c.text());
    expect(code).toBe(0);
    expect(out.errors).toBe(0);
    expect(out.connectors.map((x: { connector: string }) => x.connector)).toEqual(
      expect.arrayContaining(['hubspot', 'mailchimp', 'stripe']),
    );
  });

  it('locates each error at file:line:column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ombud-conn-'));
    const file = join(dir, 'broken.yaml');
    await writeFile(
      file,
      [
        'connector: broken', //                                1
        'name: Broken',
        'docs: https://example.com/api',
        'base_url: https://api.example.com',
        'secrets: [token]', //                                 5
        'auth: { type: bearer, token: <secret.tokn> }',
        'collections:',
        '  people:',
        '    read:',
        '      doc: https://example.com/api/people', //        10
        '      method: GET',
        '      path: /people',
        '      query: { q: <identity.mail> }',
        '    delete:',
        '      doc: not a url', //                             15
        '      method: DELETE',
        '      path: /people/<record.id>',
      ].join('\n'),
    );
    const c = captureIo();
    expect(await main(['connector', 'validate', file], c.io)).toBe(1);
    expect(c.errors()).toContain(
      `${file}:15:12: error: collections.people.delete.doc: Name the vendor document`,
    );
    // Rules beyond the schema are checked once it parses.
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('doc: not a url', 'doc: https://example.com/api/del'),
    );
    const c2 = captureIo();
    expect(await main(['connector', 'validate', file], c2.io)).toBe(1);
    expect(c2.errors()).toContain(`${file}:6:30: error: <secret.tokn>: 'tokn' is not among secrets.`);
    expect(c2.errors()).toContain(
      `${file}:13:19: error: <identity.mail>: identities are email, phone, customer_number.`,
    );
  });
});

describe('ombud connector import (Fides saas_config)', () => {
  it('imports a Fides-format config with its dataset, and the result runs against the contract server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ombud-import-'));
    const out = join(dir, 'mailchimp.yaml');
    const c = captureIo();
    const code = await main(
      [
        'connector',
        'import',
        'test/connectors/fixtures/mailchimp_fides_config.yml',
        '--dataset',
        'test/connectors/fixtures/mailchimp_fides_dataset.yml',
        '--out',
        out,
        '--json',
      ],
      c.io,
    );
    const res = JSON.parse(c.text());
    expect(code).toBe(0);
    expect(res).toMatchObject({
      ok: true,
      connector: 'mailchimp_fides_example',
      actions: ['access', 'erasure'],
    });
    const parsed = parseConnector({ path: out, text: await readFile(out, 'utf8') });
    expect(parsed.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const connector = parsed.connector!;
    expect(connector.settings).toEqual(['domain', 'username']);
    expect(connector.secrets).toEqual(['api_key']);
    expect(connector.auth).toEqual({
      type: 'basic',
      username: '<setting.username>',
      password: '<secret.api_key>',
    });

    server = await startSaasServer([
      {
        method: 'GET',
        path: '/3.0/search-members',
        answer: {
          body: {
            exact_matches: {
              members: [
                {
                  id: 'aa11',
                  list_id: 'L1',
                  email_address: 'maja@example.se',
                  merge_fields: { FNAME: 'Maja' },
                },
                { id: 'bb22', list_id: 'L1', email_address: 'other@example.se', merge_fields: {} },
              ],
              total_items: 2,
            },
          },
        },
      },
      { method: 'PUT', path: '/3.0/lists/L1/members/aa11', answer: { body: { id: 'aa11' } } },
    ]);
    const client = new SaasClient({
      systemId: 'messaging',
      connector,
      settings: { domain: 'us21.api.mailchimp.com', username: 'ombud' },
      secrets: { api_key: 'k-1' },
      baseUrl: server.url,
    });
    const r = await client.run('erasure', { email: 'maja@example.se' });
    const auth = { authorization: `Basic ${Buffer.from('ombud:k-1').toString('base64')}` };
    expect(server.requests).toEqual([
      { method: 'GET', path: '/3.0/search-members', query: { query: 'maja@example.se' }, headers: auth },
      {
        method: 'PUT',
        path: '/3.0/lists/L1/members/aa11',
        query: {},
        // The dataset's user.* fields, set to null (id, list_id and status are system data).
        body: {
          email_address: null,
          full_name: null,
          merge_fields: { FNAME: null, LNAME: null, PHONE: null },
        },
        headers: { ...auth, 'content-type': 'application/json' },
      },
    ]);
    expect(r).toMatchObject({ status: 'done', records: 1 });
  });

  it('without the dataset the masking update is left out, said at its line', async () => {
    const c = captureIo();
    const code = await main(
      ['connector', 'import', 'test/connectors/fixtures/mailchimp_fides_config.yml'],
      c.io,
    );
    expect(code).toBe(0);
    expect(c.errors()).toMatch(
      /mailchimp_fides_config\.yml:\d+:\d+: warning: member\.update: the body lists <masked_object_fields>/,
    );
    expect(c.errors()).toContain('Imported mailchimp_fides_example: access.');
    expect(c.text()).toContain('base_url: https://<setting.domain>');
  });

  it('a file that is not a saas_config is refused', async () => {
    const c = captureIo();
    expect(await main(['connector', 'import', 'connectors/stripe.yaml'], c.io)).toBe(1);
    expect(c.errors()).toContain('Not a Fides saas_config');
  });
});
