import { describe, expect, it } from 'vitest';
import { gz, measurePeer, peers } from '../../bench/consent/peers.ts';
import { buildConsentBundle } from '../../src/web/sdk/consent/build.ts';

describe('cookie banner size', () => {
  it('is under 6 KB gzipped and smaller than vanilla-cookieconsent measured in the same run', async () => {
    const { js } = await buildConsentBundle();
    const ombud = gz(js);
    const vanilla = measurePeer(peers.find((p) => p.pkg === 'vanilla-cookieconsent')!);
    expect(ombud).toBeLessThan(6144);
    expect(ombud).toBeLessThan(vanilla.totalGz);
  });

  it('is one self-contained IIFE with the CSS inlined and no language strings of its own', async () => {
    const { js } = await buildConsentBundle();
    expect(js).toMatch(/^"use strict";\(\(\)=>\{/);
    expect(js).not.toMatch(/\bimport\b|\brequire\(/);
    expect(js).toContain('.ombud{');
    expect(js.match(/createElement\("style"\)/g)).toHaveLength(1);
    for (const text of ['Accept all', 'Reject all', 'Godkänn', 'Avvis alle', 'We use cookies']) {
      expect(js).not.toContain(text);
    }
    expect(await buildConsentBundle()).toBe(await buildConsentBundle()); // cached
  });
});
