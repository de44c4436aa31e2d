/**
 * Pure helpers of the cookie banner: the stored choice and Google Consent Mode signals.
 * Bundled into the browser script, so keep it small and free of DOM access.
 */
import type { BannerCategory } from '../../../core/consent/banner.ts';

export const COOKIE_NAME = 'ombud_consent';

/** The choice as kept in the `ombud_consent` cookie. */
export type StoredConsent = {
  /** Random anonymous consent id. */
  id: string;
  /** Inventory version the choice was made against. */
  v: string;
  /** Epoch seconds of the choice. */
  t: number;
  /** Allowed category ids. */
  c: string[];
};

type Signal = 'granted' | 'denied';

const enc = encodeURIComponent;
const dec = decodeURIComponent;

/** reaskAfterDays with the default 182 and the ceiling 395 (13 months). */
export const reaskDays = (days: unknown): number => {
  const n = Number(days);
  return n > 0 ? Math.min(n, 395) : 182;
};

/** `id|v|t|cat+cat`, each part URI-encoded, so `|` and `+` never occur inside a part. */
export const encodeConsent = (s: StoredConsent): string =>
  [enc(s.id), enc(s.v), s.t, s.c.map(enc).join('+')].join('|');

export const decodeConsent = (raw: string | undefined): StoredConsent | null => {
  const p = (raw || '').split('|');
  const t = +p[2];
  if (p.length !== 4 || !(t > 0)) return null;
  try {
    return { id: dec(p[0]), v: dec(p[1]), t, c: p[3] ? p[3].split('+').map(dec) : [] };
  } catch {
    return null;
  }
};

/** The raw value of the consent cookie in a `document.cookie` string. */
export const readConsentCookie = (cookies: string): string | undefined => {
  for (const c of cookies.split(/; */))
    if (c.startsWith(COOKIE_NAME + '=')) return c.slice(COOKIE_NAME.length + 1);
};

/** A stored choice still holds when it was made against this inventory and is not older than reaskAfterDays. */
export const isCurrent = (s: StoredConsent | null, version: string, days: number, now: number): boolean =>
  !!s && s.v === version && now - s.t < reaskDays(days) * 86400;

/**
 * Consent Mode v2 defaults: every signal denied except security_storage and functionality_storage; a signal
 * a category controls is granted only when all its categories are essential.
 */
export const consentModeDefault = (cats: BannerCategory[]): Record<string, Signal | number> => {
  const out: Record<string, Signal | number> = {};
  for (const s of 'ad_storage ad_user_data ad_personalization analytics_storage personalization_storage'.split(
    ' ',
  ))
    out[s] = 'denied';
  out.functionality_storage = out.security_storage = 'granted';
  Object.assign(
    out,
    consentModeUpdate(cats, (c) => c.essential),
  );
  out.wait_for_update = 500;
  return out;
};

/** Consent Mode update: a signal is granted only when every category that controls it is allowed. */
export const consentModeUpdate = (
  cats: BannerCategory[],
  allowed: (c: BannerCategory) => boolean,
): Record<string, Signal> => {
  const out: Record<string, Signal> = {};
  for (const c of cats)
    for (const s of c.consentMode) out[s] = out[s] !== 'denied' && allowed(c) ? 'granted' : 'denied';
  return out;
};

/** Whether a cookie name matches an inventory entry; an entry ending in `*` matches a prefix. */
export const cookieMatches = (pattern: string, name: string): boolean =>
  pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
