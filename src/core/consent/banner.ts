/**
 * Configuration of the Ombud cookie banner: the contract between the server and the browser bundle
 * (src/web/sdk/consent/banner.ts imports its types from here). Pure and free of imports, so the bundle
 * takes nothing else with it.
 *
 * The server serves `GET /sdk/consent.js?org=ID&lang=xx` as `window.OmbudConsentConfig=<json>;` followed by the
 * bundle built from `src/web/sdk/consent/banner.ts`. The bundle carries no language strings of its own: every text comes from
 * `texts`, which the server fills from {@link defaultTexts} (and the organization's overrides).
 */

export type BannerLang = 'en' | 'sv' | 'nb';

export type BannerTexts = {
  title: string;
  body: string;
  acceptAll: string;
  rejectAll: string;
  customize: string;
  save: string;
  close: string;
  /** Label of the floating reopen button and heading of the second layer. */
  settingsLink: string;
  alwaysOn: string;
  /** Summary of the per-category cookie list, shown as `${cookies} (n)`. */
  cookies: string;
  /** Text of the link to `policyUrl`. Optional for compatibility; without it the link shows the URL's host and path. */
  policyLink?: string;
  /** Why an advertising category is off and locked while Global Privacy Control is on. */
  gpc?: string;
  /** Before the visitor's consent id in the settings, once a choice is stored. Optional for compatibility. */
  consentId?: string;
};

export type BannerCookie = { name: string; provider: string; lifetime: string; purpose: string };

export type BannerCategory = {
  id: string;
  essential: boolean;
  advertising: boolean;
  label: string;
  description: string;
  /** Google Consent Mode v2 signals this category controls, e.g. ['ad_storage','ad_user_data','ad_personalization']. */
  consentMode: string[];
  /** Cookie names may end in `*` to match a prefix (e.g. `_ga_*`). */
  cookies: BannerCookie[];
};

export type BannerConfig = {
  /** Organization id. */
  org: string;
  /** Base URL of Ombud; proof is POSTed to `${endpoint}/api/v1/cookie-consents`. */
  endpoint: string;
  /** Hash of the cookie inventory; a material change means ask again. */
  inventoryVersion: string;
  /** Default 182, never more than 395 (13 months). */
  reaskAfterDays: number;
  lang: BannerLang;
  /** Cookie policy / privacy notice link. */
  policyUrl: string;
  texts: BannerTexts;
  categories: BannerCategory[];
};

/** The body the banner POSTs to `${endpoint}/api/v1/cookie-consents` for every choice. */
export type CookieConsentProof = {
  consentId: string;
  org: string;
  action: 'accept-all' | 'reject-all' | 'custom';
  categories: Record<string, boolean>;
  inventoryVersion: string;
  gpc: boolean;
  lang: BannerLang;
  /** `location.origin + location.pathname` of the page where the choice was made. */
  url: string;
  /** The banner's random id of this choice: a proof sent again with the same id is stored once. */
  proofId?: string;
};

export const DEFAULT_REASK_AFTER_DAYS = 182;
export const MAX_REASK_AFTER_DAYS = 395;

/** Default banner texts for the server; not part of the browser bundle. */
export const defaultTexts: Record<BannerLang, Required<BannerTexts>> = {
  en: {
    title: 'We use cookies',
    body:
      'Some cookies are necessary for the site to work. With your consent we also use other cookies, for example ' +
      'for statistics and marketing. You can change or withdraw your consent at any time.',
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    customize: 'Customize',
    save: 'Save choices',
    close: 'Close',
    settingsLink: 'Cookie settings',
    alwaysOn: 'Always on',
    cookies: 'Cookies',
    policyLink: 'How we use cookies',
    gpc: 'Off because your browser sends a Global Privacy Control signal.',
    consentId: 'Your consent id:',
  },
  sv: {
    title: 'Vi använder cookies',
    body:
      'Vissa cookies är nödvändiga för att webbplatsen ska fungera. Med ditt samtycke använder vi även andra ' +
      'cookies, till exempel för statistik och marknadsföring. Du kan när som helst ändra eller återkalla ditt samtycke.',
    acceptAll: 'Godkänn alla',
    rejectAll: 'Avvisa alla',
    customize: 'Anpassa',
    save: 'Spara val',
    close: 'Stäng',
    settingsLink: 'Cookieinställningar',
    alwaysOn: 'Alltid på',
    cookies: 'Cookies',
    policyLink: 'Så använder vi cookies',
    gpc: 'Av eftersom din webbläsare skickar en Global Privacy Control-signal.',
    consentId: 'Ditt samtyckes-id:',
  },
  nb: {
    title: 'Vi bruker informasjonskapsler',
    body:
      'Noen informasjonskapsler er nødvendige for at nettstedet skal fungere. Med ditt samtykke bruker vi også ' +
      'andre informasjonskapsler, for eksempel til statistikk og markedsføring. Du kan når som helst endre eller ' +
      'trekke tilbake samtykket ditt.',
    acceptAll: 'Godta alle',
    rejectAll: 'Avvis alle',
    customize: 'Tilpass',
    save: 'Lagre valg',
    close: 'Lukk',
    settingsLink: 'Innstillinger for informasjonskapsler',
    alwaysOn: 'Alltid på',
    cookies: 'Informasjonskapsler',
    policyLink: 'Slik bruker vi informasjonskapsler',
    gpc: 'Av fordi nettleseren din sender et Global Privacy Control-signal.',
    consentId: 'Din samtykke-ID:',
  },
};
