/**
 * The keyed identity hash: the raw digests the bulk filter ships (hashed on two threads for a long
 * list) are the same hashes every single lookup and every stored identity uses.
 */
import { expect, test } from 'vitest';
import { type ConsentKeys, identityDigests, identityHash } from '../../src/services/consent/keys.ts';

const keys: ConsentKeys = {
  identity: Buffer.alloc(32, 9),
  token: new Uint8Array(32),
  ring: { keys: new Map([['k', Buffer.alloc(32, 1)]]), current: 'k' },
};

test.each([
  ['a short list (one thread)', 1_000],
  ['a long list (two threads)', 120_001],
])('bulk digests equal identityHash for %s', async (_name, n) => {
  const values = Array.from({ length: n }, (_, i) => `person${i}@example.se`);
  const digests = await identityDigests(keys, 'nestit-group', 'email', values);
  expect(digests.length).toBe(n * 32);
  for (const i of [0, 1, Math.floor(n / 2) - 1, Math.floor(n / 2), Math.floor(n / 2) + 1, n - 1])
    expect(digests.subarray(i * 32, i * 32 + 32).toString('hex')).toBe(
      identityHash(keys, 'nestit-group', 'email', values[i]!),
    );
  // Not the same under another organization or kind.
  expect(identityHash(keys, 'provendo', 'email', values[0]!)).not.toBe(
    digests.subarray(0, 32).toString('hex'),
  );
});
