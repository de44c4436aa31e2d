import { describe, expect, test } from 'vitest';
import { CURRENT_RULE, googleAdsV1, hashAll, hashIdentifier, hashRule, type HashRule } from './hashing.ts';

// SHA-256 (hex) of the normalised strings, computed outside Ombud with `printf '%s' … | sha256sum`.
const SHA = {
  'joe@eg.com': '8830eedd6c6b5ea97d181563a349476ca1bb25ace1f94b5c5e48d9cad727941b',
  'janedoe@gmail.com': 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69',
  'jane.doe@gmail.com': '831f6494ad6be4fcb3a724c3d5fef22d3ceffa3c62ef3a7984e45a0ea177f982',
  'customer@example.com': 'e233d4a29013e9d87150c6237c6777bedf379ebf1acdc5d6126fec7e8bb74fb5',
  'john.smith@example.se': 'a7a4d475ab37f20b956ee889db6ef51518721a549c86f05d87b0448ed2d5ddbe',
  'johnsmith@googlemail.com': 'b1dd4aa5ffe1507d6883708fdf4f7a88d176b107097b541c6975a70e2b8ffbb8',
  '+18005550100': 'fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30',
  '16169547888': 'bb2fa2e6d2cea4746530c99686d0c7886ab2019875dca2d7e9e171c0e6ada00d',
  '+46701234567': '19317f0437d748c2e75c9d451197ae3ccc2e67c6d1e05cba41f25e639e3a7528',
  '46701234567': 'a7274f98c43038d9c630738ac54c4cd06495600f29d7904131a2474a91d3d042',
} as const;

type Case = [
  rule: HashRule,
  field: 'email' | 'phone',
  raw: string,
  country: string | undefined,
  want: string | undefined,
];
const google = CURRENT_RULE['google-ads'];
const dm = CURRENT_RULE['google-data-manager'];
const meta = CURRENT_RULE.meta;

// The networks' own examples first (the page each comes from is named), then the edges of each rule.
const CASES: Case[] = [
  // Data Manager "Format user data": (800)555-0100 → +18005550100; gmail dots removed; intermediate whitespace trimmed.
  [dm, 'phone', '(800)555-0100', 'US', SHA['+18005550100']],
  [dm, 'phone', ' +1 800 555 0100 ', undefined, SHA['+18005550100']],
  [dm, 'email', 'Jane.Doe@Gmail.com', undefined, SHA['janedoe@gmail.com']],
  [dm, 'email', ' john . smith@example.se ', undefined, SHA['john.smith@example.se']],
  [dm, 'email', 'John.Smith@GoogleMail.com', undefined, SHA['johnsmith@googlemail.com']],
  // Google Ads API Customer Match code sample: "customer@example.com"; E.164 as +12125650000-style.
  [google, 'email', '  Customer@Example.com ', undefined, SHA['customer@example.com']],
  [google, 'email', 'jane.doe@gmail.com', undefined, SHA['janedoe@gmail.com']],
  [google, 'email', 'john.smith@example.se', undefined, SHA['john.smith@example.se']],
  [google, 'phone', '070-123 45 67', 'SE', SHA['+46701234567']],
  [google, 'phone', '0046 70 123 45 67', undefined, SHA['+46701234567']],
  // Version 1 (Help Center hashed-data guidelines before the gmail rule): dots stay.
  [googleAdsV1, 'email', 'Jane.Doe@gmail.com', undefined, SHA['jane.doe@gmail.com']],
  // Meta customer file / Conversions API: em trimmed and lowercased, no gmail rule; ph digits with country code, no "+".
  [meta, 'email', ' Joe@EG.com ', undefined, SHA['joe@eg.com']],
  [meta, 'email', 'Jane.Doe@gmail.com', undefined, SHA['jane.doe@gmail.com']],
  [meta, 'phone', '+1 (616) 954-7888', undefined, SHA['16169547888']],
  [meta, 'phone', '070-123 45 67', 'SE', SHA['46701234567']],
  // Not normalisable: skipped, never hashed or sent raw.
  [meta, 'email', 'not-an-address', undefined, undefined],
  [meta, 'email', 'joe @eg.com', undefined, undefined],
  [google, 'email', 'joe@localhost', undefined, undefined],
  [google, 'phone', '070-123 45 67', undefined, undefined],
  [meta, 'phone', 'call me', 'SE', undefined],
  [dm, 'phone', '+46 12', undefined, undefined],
];

describe('hashing rules per network (issue #14 item 2)', () => {
  test.each(CASES.map((c, i) => [i, ...c] as const))('case %i: %s', (_i, rule, field, raw, country, want) => {
    expect(hashIdentifier(rule, field, raw, country)).toBe(want);
  });

  test('rules are named and versioned, and each names the documents it follows', () => {
    expect(hashRule('google-ads')?.id).toBe('google-ads@2');
    expect(hashRule('google-ads@1')?.id).toBe('google-ads@1');
    expect(hashRule('google-data-manager')?.id).toBe('google-data-manager@1');
    expect(hashRule('meta')?.id).toBe('meta@1');
    expect(hashRule('tiktok')).toBeUndefined();
    for (const r of [google, dm, meta, googleAdsV1]) {
      expect(r.documents.email).toMatch(/^https:\/\//);
      expect(r.documents.phone).toMatch(/^https:\/\//);
    }
  });

  test('a list: hashes deduplicated and sorted, the rest counted as skipped', () => {
    const r = hashAll(meta, 'email', ['joe@eg.com', ' JOE@eg.com', 'nope', 'jane.doe@gmail.com']);
    expect(r).toEqual({ hashes: [SHA['jane.doe@gmail.com'], SHA['joe@eg.com']].sort(), skipped: 1 });
  });
});
