import { describe, expect, it } from 'vitest';
import type { BannerCategory } from '../../../core/consent/banner.ts';
import { defaultTexts } from '../../../core/consent/banner.ts';
import {
  consentModeDefault,
  consentModeUpdate,
  cookieMatches,
  decodeConsent,
  encodeConsent,
  isCurrent,
  readConsentCookie,
  reaskDays,
} from './state.ts';

const cat = (id: string, essential: boolean, consentMode: string[], advertising = false): BannerCategory => ({
  id,
  essential,
  advertising,
  label: id,
  description: id,
  consentMode,
  cookies: [],
});
const cats = [
  cat('necessary', true, []),
  cat('analytics', false, ['analytics_storage']),
  cat('marketing', false, ['ad_storage', 'ad_user_data', 'ad_personalization'], true),
];

describe('consent cookie', () => {
  it('round-trips ids with separators and non-ASCII', () => {
    const s = { id: 'a1b2-c3', v: 'v|1+2', t: 1_732_531_200, c: ['necessary', 'stats+', 'å|x'] };
    const raw = encodeConsent(s);
    expect(raw).toMatch(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/); // cookie-octet only
    expect(decodeConsent(raw)).toEqual(s);
    expect(decodeConsent(encodeConsent({ ...s, c: [] }))?.c).toEqual([]);
  });

  it('rejects garbage', () => {
    for (const raw of [undefined, '', 'x', 'a|b|c|d', 'a|b|-5|c', 'a|b|1|c|e', '%E0|v|1|c']) {
      expect(decodeConsent(raw)).toBeNull();
    }
  });

  it('reads the cookie out of document.cookie', () => {
    expect(readConsentCookie('a=1; ombud_consent=x|y|1|z; b=2')).toBe('x|y|1|z');
    expect(readConsentCookie('xombud_consent=1')).toBeUndefined();
  });

  it('clamps reaskAfterDays to 395 and defaults to 182', () => {
    expect(reaskDays(30)).toBe(30);
    expect(reaskDays(1000)).toBe(395);
    expect(reaskDays(undefined)).toBe(182);
    expect(reaskDays(0)).toBe(182);
    expect(reaskDays('nope')).toBe(182);
  });

  it('asks again after reaskAfterDays or when the inventory changes', () => {
    const s = { id: 'i', v: 'inv1', t: 1000, c: [] };
    expect(isCurrent(s, 'inv1', 182, 1000 + 181 * 86400)).toBe(true);
    expect(isCurrent(s, 'inv1', 182, 1000 + 182 * 86400)).toBe(false);
    expect(isCurrent(s, 'inv2', 182, 1001)).toBe(false);
    expect(isCurrent(s, 'inv1', 5000, 1000 + 396 * 86400)).toBe(false);
    expect(isCurrent(null, 'inv1', 182, 1001)).toBe(false);
  });
});

describe('Consent Mode v2', () => {
  it('denies everything but security and functionality storage by default', () => {
    expect(consentModeDefault(cats)).toEqual({
      ad_storage: 'denied',
      ad_user_data: 'denied',
      ad_personalization: 'denied',
      analytics_storage: 'denied',
      personalization_storage: 'denied',
      functionality_storage: 'granted',
      security_storage: 'granted',
      wait_for_update: 500,
    });
  });

  it('maps allowed categories to granted signals', () => {
    expect(consentModeUpdate(cats, (c) => c.id !== 'marketing')).toEqual({
      analytics_storage: 'granted',
      ad_storage: 'denied',
      ad_user_data: 'denied',
      ad_personalization: 'denied',
    });
  });

  it('grants a shared signal only when every category controlling it is allowed', () => {
    const shared = [cat('a', false, ['ad_storage']), cat('b', false, ['ad_storage'])];
    expect(consentModeUpdate(shared, (c) => c.id === 'a')).toEqual({ ad_storage: 'denied' });
    expect(consentModeUpdate(shared, () => true)).toEqual({ ad_storage: 'granted' });
    expect(consentModeDefault([cat('p', false, ['functionality_storage'])]).functionality_storage).toBe(
      'denied',
    );
  });
});

describe('cookie inventory', () => {
  it('matches names and prefixes', () => {
    expect(cookieMatches('_ga', '_ga')).toBe(true);
    expect(cookieMatches('_ga', '_gat')).toBe(false);
    expect(cookieMatches('_ga_*', '_ga_ABC123')).toBe(true);
  });
});

describe('default texts', () => {
  it('has every key in en, sv and nb', () => {
    const keys = Object.keys(defaultTexts.en).sort();
    for (const lang of ['sv', 'nb'] as const) {
      expect(Object.keys(defaultTexts[lang]).sort()).toEqual(keys);
      for (const v of Object.values(defaultTexts[lang])) expect(v.trim()).not.toBe('');
    }
  });
});
