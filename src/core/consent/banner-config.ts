/**
 * The cookie banner's configuration, built from the register's cookie inventory (pure). The
 * inventory version is a hash of what matters to a consent (which cookies, which category, whose,
 * how long, and what each category is): when it changes, the banner asks again.
 */
import { canonicalJson, sha256 } from '../canonical.ts';
import type { RegisterIndex } from '../register/register-index.ts';
import { type Language, t } from '../register/schema.ts';
import { type BannerConfig, DEFAULT_REASK_AFTER_DAYS, defaultTexts, MAX_REASK_AFTER_DAYS } from './banner.ts';

const UNITS: Record<Language, Record<'Y' | 'M' | 'W' | 'D', [string, string]>> = {
  en: { Y: ['year', 'years'], M: ['month', 'months'], W: ['week', 'weeks'], D: ['day', 'days'] },
  sv: { Y: ['år', 'år'], M: ['månad', 'månader'], W: ['vecka', 'veckor'], D: ['dag', 'dagar'] },
  nb: { Y: ['år', 'år'], M: ['måned', 'måneder'], W: ['uke', 'uker'], D: ['dag', 'dager'] },
};
const SESSION: Record<Language, string> = { en: 'Session', sv: 'Session', nb: 'Økt' };

export function lifetimeText(lifetime: string, lang: Language): string {
  if (lifetime === 'session') return SESSION[lang];
  const parts = [...lifetime.matchAll(/(\d+)([YMWD])/g)].map(([, n, u]) => {
    const [one, many] = UNITS[lang][u as 'Y' | 'M' | 'W' | 'D'];
    return `${n} ${Number(n) === 1 ? one : many}`;
  });
  return parts.join(' ') || lifetime;
}

/** `_ga_<container-id>` in the register is a family of cookies: the banner matches it as the prefix `_ga_*`. */
const bannerCookieName = (name: string) => name.replace(/<[^>]*>.*$/, '*');

export function inventoryVersion(index: RegisterIndex): string {
  const reg = index.register;
  return sha256(
    canonicalJson({
      categories: reg.cookieCategories.map((c) => ({
        id: c.id,
        essential: c.essential,
        advertising: c.advertising,
        consentMode: c.consentMode,
        description: c.description,
      })),
      cookies: reg.cookies
        .map((c) => ({
          name: c.name,
          category: c.category,
          provider: c.provider,
          lifetime: c.lifetime,
          firstParty: c.firstParty,
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    }),
  ).slice(0, 16);
}

export function bannerConfigFor(
  index: RegisterIndex,
  opts: { orgId: string; lang: Language; endpoint: string; policyUrl: string },
): BannerConfig {
  const reg = index.register;
  const reask = Math.min(reg.group.cookieReaskDays ?? DEFAULT_REASK_AFTER_DAYS, MAX_REASK_AFTER_DAYS);
  return {
    org: opts.orgId,
    endpoint: opts.endpoint,
    inventoryVersion: inventoryVersion(index),
    reaskAfterDays: reask,
    lang: opts.lang,
    policyUrl: opts.policyUrl,
    texts: defaultTexts[opts.lang],
    categories: reg.cookieCategories.map((c) => ({
      id: c.id,
      essential: c.essential,
      advertising: c.advertising,
      label: t(c.label, opts.lang),
      description: t(c.description, opts.lang),
      consentMode: c.consentMode,
      cookies: reg.cookies
        .filter((k) => k.category === c.id)
        .map((k) => ({
          name: bannerCookieName(k.name),
          provider: k.provider,
          lifetime: lifetimeText(k.lifetime, opts.lang),
          purpose: t(k.purpose, opts.lang),
        })),
    })),
  };
}
