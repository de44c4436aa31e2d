import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo, runOmbud } from '../support/cli.ts';

// SHA-256 of the normalised strings, computed with `printf '%s' … | sha256sum`.
const JANEDOE_GMAIL = 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69';
const JANE_DOT_DOE_GMAIL = '831f6494ad6be4fcb3a724c3d5fef22d3ceffa3c62ef3a7984e45a0ea177f982';
const PLUS_46701234567 = '19317f0437d748c2e75c9d451197ae3ccc2e67c6d1e05cba41f25e639e3a7528';
const DIGITS_46701234567 = 'a7274f98c43038d9c630738ac54c4cd06495600f29d7904131a2474a91d3d042';

describe('ombud audience hash', () => {
  test('one hash per line, by the rule of the network', async () => {
    const google = captureIo('Jane.Doe@gmail.com\n');
    expect(
      await main(['audience', 'hash', '--rule', 'google-data-manager', '--field', 'email'], google.io),
    ).toBe(0);
    expect(google.text()).toBe(JANEDOE_GMAIL);
    const meta = captureIo('Jane.Doe@gmail.com\n');
    expect(await main(['audience', 'hash', '--rule', 'meta', '--field', 'email'], meta.io)).toBe(0);
    expect(meta.text()).toBe(JANE_DOT_DOE_GMAIL);
    const phones = captureIo('070-123 45 67\n+46 70 123 45 67\n');
    expect(
      await main(
        ['audience', 'hash', '--rule', 'google-ads', '--field', 'phone', '--default-country', 'SE'],
        phones.io,
      ),
    ).toBe(0);
    expect(phones.text()).toBe(`${PLUS_46701234567}\n${PLUS_46701234567}`);
    const metaPhone = captureIo('070-123 45 67\n');
    expect(
      await main(
        ['audience', 'hash', '--rule', 'meta', '--field', 'phone', '--default-country', 'se'],
        metaPhone.io,
      ),
    ).toBe(0);
    expect(metaPhone.text()).toBe(DIGITS_46701234567);
  });

  test('a line that cannot be normalised is named by its number, never its value; exit 1', async () => {
    const r = await runOmbud(['audience', 'hash', '--rule', 'google-ads', '--field', 'phone'], {
      stdin: '+46 70 123 45 67\n070-123 45 67\n',
    });
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(PLUS_46701234567);
    expect(r.stderr).toContain('line 2:');
    expect(r.stderr).not.toContain('070');
    const e = captureIo('ok@example.se\nsecret-person-at-example\n');
    expect(await main(['audience', 'hash', '--rule', 'meta', '--field', 'email'], e.io)).toBe(1);
    expect(e.errors()).toMatch(/^line 2: not a valid e-mail address/);
    expect(e.errors()).not.toContain('secret-person');
  });

  test('an unknown rule is a usage error', async () => {
    const c = captureIo('a@b.se\n');
    expect(await main(['audience', 'hash', '--rule', 'tiktok', '--field', 'email'], c.io)).toBe(2);
  });
});
