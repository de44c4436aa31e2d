/**
 * Ombud cookie banner: a framework-free browser script.
 *
 * Reads `window.OmbudConsentConfig` (or waits for `Ombud.init(config)`), keeps tagged scripts and iframes inert
 * until their category is allowed, drives Google Consent Mode v2, honours Global Privacy Control, stores the
 * choice in the first-party cookie `ombud_consent` and POSTs a proof of every choice to Ombud.
 */
import type { BannerCategory, BannerConfig, CookieConsentProof } from '../../../core/consent/banner.ts';
import {
  COOKIE_NAME,
  consentModeDefault,
  consentModeUpdate,
  cookieMatches,
  decodeConsent,
  encodeConsent,
  isCurrent,
  readConsentCookie,
  reaskDays,
  type StoredConsent,
} from './state.ts';

declare const __OMBUD_CSS__: string;

type Action = CookieConsentProof['action'];
export type ConsentSnapshot = {
  consentId: string;
  inventoryVersion: string;
  /** Epoch seconds of the choice. */
  timestamp: number;
  gpc: boolean;
  categories: Record<string, boolean>;
};
export type OmbudApi = {
  init(config: BannerConfig): void;
  showPreferences(): void;
  acceptAll(): void;
  rejectAll(): void;
  getConsent(): ConsentSnapshot | null;
};

const w = window as Window & {
  OmbudConsentConfig?: BannerConfig;
  Ombud?: OmbudApi;
  dataLayer?: unknown[];
  gtag?: (...args: unknown[]) => void;
};
const d = document;
const nonce = (d.currentScript as HTMLScriptElement | null)?.nonce;
const ATTR = 'data-ombud-category';

let cfg: BannerConfig | undefined;
let stored: StoredConsent | null = null;
let knownId: string | undefined;
/** The consent id the server answered with when it stored this page's choice. */
let recordedId: string | undefined;
let gpc = false;
let root: HTMLElement | undefined;
let second = false;
let fab: HTMLButtonElement | undefined;
let opener: Element | null = null;

const now = () => Math.floor(Date.now() / 1000);
const noop = () => {};
const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const ready = (fn: () => void) =>
  d.readyState === 'loading' ? d.addEventListener('DOMContentLoaded', fn) : fn();

function gtag(..._args: unknown[]) {
  // gtag.js only processes Arguments objects, never arrays.
  // biome-ignore lint/complexity/noArguments: required by the Consent Mode protocol
  w.dataLayer!.push(arguments);
}

const uuid = (): string =>
  crypto.randomUUID
    ? crypto.randomUUID()
    : Array.from(
        crypto.getRandomValues(new Uint8Array(16)),
        (b, i) => (i > 3 && i < 11 && !(i & 1) ? '-' : '') + (b + 256).toString(16).slice(1),
      ).join('');

/** Whether a category is allowed now: essential ones always; advertising ones never under GPC. */
const isOn = (c: BannerCategory | undefined): boolean =>
  !!c && (c.essential || (!!stored && stored.c.includes(c.id) && !(gpc && c.advertising)));

const categoryMap = () => Object.fromEntries(cfg!.categories.map((c) => [c.id, isOn(c)]));

function getConsent(): ConsentSnapshot | null {
  return stored
    ? {
        consentId: stored.id,
        inventoryVersion: stored.v,
        timestamp: stored.t,
        gpc,
        categories: categoryMap(),
      }
    : null;
}

const update = () => gtag('consent', 'update', consentModeUpdate(cfg!.categories, isOn));

/** Activates the inert scripts and iframes of allowed categories (essential ones even before a choice). */
function activate() {
  const cats = cfg!.categories;
  d.querySelectorAll<HTMLElement>('[' + ATTR + ']').forEach((el) => {
    if (!isOn(cats.find((c) => c.id === el.getAttribute(ATTR)))) return;
    if (el instanceof HTMLScriptElement) {
      if (el.type !== 'text/plain') return;
      const s = d.createElement('script');
      for (const a of Array.from(el.attributes)) if (a.name !== 'type') s.setAttribute(a.name, a.value);
      s.type = el.dataset.type || 'text/javascript';
      s.nonce = el.nonce;
      if (!el.hasAttribute('async')) s.async = false;
      s.text = el.text;
      el.replaceWith(s);
    } else if (el.dataset.src && el.getAttribute('src') !== el.dataset.src) {
      el.setAttribute('src', el.dataset.src);
    }
  });
}

/** Withdrawal: expires the inventoried cookies of categories that are not allowed, on this host and its parents. */
function clean() {
  const cats = cfg!.categories;
  const host = location.hostname.split('.');
  for (const name of d.cookie.split(/; */).map((c) => c.split('=')[0]))
    for (const c of cats)
      if (!isOn(c) && name !== COOKIE_NAME && c.cookies.some((k) => cookieMatches(k.name, name)))
        for (let i = 0; i < host.length; i++)
          // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser
          d.cookie = name + '=;path=/;max-age=0' + (i ? ';domain=' + host.slice(i - 1).join('.') : '');
}

function decide(action: Action, pick: (c: BannerCategory) => boolean) {
  const c = cfg;
  if (!c) return;
  knownId = knownId || uuid();
  const allowed = c.categories.filter((k) => k.essential || (pick(k) && !(gpc && k.advertising)));
  stored = { id: knownId, v: c.inventoryVersion, t: now(), c: allowed.map((k) => k.id) };
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser
  d.cookie =
    COOKIE_NAME +
    '=' +
    encodeConsent(stored) +
    ';path=/;SameSite=Lax;max-age=' +
    Math.round(reaskDays(c.reaskAfterDays) * 86400) +
    (location.protocol === 'https:' ? ';Secure' : '');
  update();
  ready(activate);
  clean();
  const categories = categoryMap();
  const proof: CookieConsentProof = {
    consentId: knownId,
    org: c.org,
    action,
    categories,
    inventoryVersion: c.inventoryVersion,
    gpc,
    lang: c.lang,
    url: location.origin + location.pathname,
    proofId: uuid(),
  };
  send(c.endpoint.replace(/\/+$/, '') + '/api/v1/cookie-consents', JSON.stringify(proof), 0);
  w.dispatchEvent(new CustomEvent('ombud:consent', { detail: { ...getConsent(), action } }));
  ready(close);
}

/**
 * The proof, sent until it is answered (at least once): a network error or a 5xx/429 is retried after
 * 1, 2, 4, 8 s with the same proofId, which the server stores once.
 */
function send(url: string, body: string, attempt: number) {
  const again = () => {
    if (attempt < 4) setTimeout(() => send(url, body, attempt + 1), 1000 << attempt);
  };
  try {
    fetch(url, {
      method: 'POST',
      keepalive: true,
      headers: { 'content-type': 'application/json' },
      body,
    }).then((r) => {
      if (r.status >= 500 || r.status === 429) again();
      else if (r.ok)
        r.json().then((b: { consentId?: string }) => {
          recordedId = b.consentId;
          const el = root?.querySelector('#ombud-cid');
          if (el && recordedId) el.textContent = recordedId;
        }, noop);
    }, again);
  } catch {}
}

const button = (a: string, label: string) =>
  '<button type="button" class="ombud-b" data-a="' + a + '">' + esc(label) + '</button>';

function html(): string {
  const { texts: t, policyUrl } = cfg!;
  const url = /^(https?:)?\//i.test(policyUrl) ? policyUrl : '';
  const link = url
    ? ' <a href="' + esc(url) + '">' + esc(t.policyLink || url.replace(/^\w+:\/\/|[?#].*/g, '')) + '</a>'
    : '';
  if (!second)
    return (
      '<h2 id="ombud-t">' +
      esc(t.title) +
      '</h2><p id="ombud-d">' +
      esc(t.body) +
      link +
      '</p><div class="ombud-bs">' +
      button('all', t.acceptAll) +
      button('none', t.rejectAll) +
      button('prefs', t.customize) +
      '</div>'
    );
  return (
    '<button type="button" class="ombud-x" data-a="x" aria-label="' +
    esc(t.close) +
    '">&times;</button><h2 id="ombud-t">' +
    esc(t.settingsLink) +
    '</h2><p id="ombud-d">' +
    link +
    '</p>' +
    cfg!.categories
      .map((c, i) => {
        const id = 'ombud-' + i;
        const locked = c.essential || (gpc && c.advertising);
        return (
          '<div class="ombud-c"><div class="ombud-h"><label for="' +
          id +
          '">' +
          esc(c.label) +
          '</label>' +
          (c.essential ? '<small>' + esc(t.alwaysOn) + '</small>' : '') +
          '<input type="checkbox" role="switch" id="' +
          id +
          '" data-c="' +
          esc(c.id) +
          '" aria-describedby="' +
          id +
          'd"' +
          (isOn(c) ? ' checked' : '') +
          (locked ? ' disabled' : '') +
          '></div><p id="' +
          id +
          'd">' +
          esc(c.description) +
          (gpc && c.advertising
            ? '<span class="ombud-g">' + esc(t.gpc || 'Global Privacy Control') + '</span>'
            : '') +
          '</p>' +
          (c.cookies.length
            ? '<details><summary>' +
              esc(t.cookies) +
              ' (' +
              c.cookies.length +
              ')</summary><ul>' +
              c.cookies
                .map(
                  (k) =>
                    '<li><code>' +
                    esc(k.name) +
                    '</code> <span>' +
                    esc(k.provider) +
                    ' · ' +
                    esc(k.lifetime) +
                    '</span><br>' +
                    esc(k.purpose) +
                    '</li>',
                )
                .join('') +
              '</ul></details>'
            : '') +
          '</div>'
        );
      })
      .join('') +
    (stored
      ? '<p class="ombud-i">' +
        esc(t.consentId || 'ID:') +
        ' <code id="ombud-cid">' +
        esc(recordedId || stored.id) +
        '</code></p>'
      : '') +
    '<div class="ombud-bs ombud-s">' +
    button('all', t.acceptAll) +
    button('none', t.rejectAll) +
    button('save', t.save) +
    '</div>'
  );
}

function open(prefs: boolean) {
  if (!cfg) return;
  second = prefs;
  root?.remove();
  const r = d.createElement('div');
  root = r;
  r.className = 'ombud';
  r.tabIndex = -1;
  r.setAttribute('role', 'dialog');
  r.setAttribute('aria-modal', 'false');
  r.setAttribute('aria-labelledby', 'ombud-t');
  r.setAttribute('aria-describedby', 'ombud-d');
  r.lang = cfg.lang;
  r.innerHTML = html();
  r.onclick = (e) => {
    const a = (e.target as Element).closest('[data-a]')?.getAttribute('data-a');
    if (a === 'all') decide('accept-all', () => true);
    else if (a === 'none') decide('reject-all', () => false);
    else if (a === 'prefs') open(true);
    else if (a === 'x') back();
    else if (a === 'save') {
      const on = new Set<string | undefined>();
      r.querySelectorAll<HTMLInputElement>('input:checked').forEach((i) => {
        on.add(i.dataset.c);
      });
      decide('custom', (c) => on.has(c.id));
    }
  };
  d.body.append(r);
  if (fab) fab.hidden = true;
  r.focus({ preventScroll: true });
}

/** Leaves the second layer: closes once a choice exists, else returns to the first layer. */
const back = () => (stored ? close() : open(false));

function close() {
  root?.remove();
  root = undefined;
  second = false;
  if (!fab) {
    fab = d.createElement('button');
    fab.type = 'button';
    fab.className = 'ombud-f';
    fab.textContent = cfg!.texts.settingsLink;
    fab.onclick = showPreferences;
    d.body.append(fab);
  }
  fab.hidden = false;
  // Focus goes back where the visitor was: the element that opened the choices, else the page's own
  // "Customize cookies" link, else the floating button (never lost to <body>).
  const back = (opener ?? d.querySelector('[data-ombud-cookie-settings]') ?? fab) as HTMLElement;
  back.focus?.({ preventScroll: true });
  opener = null;
}

function showPreferences() {
  if (!cfg) return;
  opener = root ? opener : d.activeElement;
  ready(() => open(true));
}

function init(config: BannerConfig) {
  if (cfg || !config) return;
  cfg = config;
  gpc = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  w.dataLayer = w.dataLayer || [];
  w.gtag = w.gtag || gtag;
  gtag('consent', 'default', consentModeDefault(config.categories));
  const s = decodeConsent(readConsentCookie(d.cookie));
  knownId = s?.id;
  if (isCurrent(s, config.inventoryVersion, config.reaskAfterDays, now())) {
    stored = s;
    update();
  }
  ready(() => {
    const style = d.createElement('style');
    style.textContent = __OMBUD_CSS__;
    if (nonce) style.nonce = nonce;
    d.head.append(style);
    d.addEventListener('click', (e) => {
      const el = (e.target as Element).closest?.('[data-ombud-cookie-settings]');
      if (el) {
        e.preventDefault();
        opener = el;
        open(true);
      }
    });
    d.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && second) back();
    });
    activate();
    if (stored) {
      clean();
      close();
    } else open(false);
  });
}

w.Ombud = {
  init,
  showPreferences,
  acceptAll: () => decide('accept-all', () => true),
  rejectAll: () => decide('reject-all', () => false),
  getConsent,
};
if (w.OmbudConsentConfig) init(w.OmbudConsentConfig);
