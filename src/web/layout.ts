/** Page shells for the public privacy center and the admin console. Server-rendered HTML. */
import { type Html, html, raw } from '../core/html.ts';
import { BASE_CSS } from '../core/page.ts';
import { can, type Principal } from '../core/policies/permissions.ts';
import type { Language } from '../core/register/schema.ts';
import { consoleLanguage } from './i18n/catalogue.ts';
import { pageContext } from './pageContext.ts';
import { shellWords } from './shellWords.ts';

/** The public page shell is pure and lives in core (the fulfilment extract uses it too). */
export { publicPage } from '../core/page.ts';

/**
 * The console's sections: id (a page's `active`), link, label (English; the page shows the label of its
 * language from src/web/shellWords.ts, by id). Each is shown only to who may open it.
 */
export const CONSOLE_NAV: readonly { id: string; href: string; label: string }[] = [
  { id: 'register', href: '/console', label: 'Register' },
  { id: 'diagram', href: '/console/data-flow', label: 'Data flow' },
  { id: 'notices', href: '/console/notices', label: 'Notices' },
  { id: 'requests', href: '/console/requests', label: 'Requests' },
  { id: 'tasks', href: '/console/fulfilment/tasks', label: 'Tasks' },
  { id: 'retention', href: '/console/retention', label: 'Retention' },
  { id: 'holds', href: '/console/holds', label: 'Holds' },
  { id: 'breaches', href: '/console/breaches', label: 'Breaches' },
  { id: 'analytics', href: '/console/analytics', label: 'Analytics' },
  { id: 'audit', href: '/console/audit', label: 'Audit log' },
  { id: 'people', href: '/console/users', label: 'People' },
  { id: 'consent', href: '/console/consent', label: 'Consent' },
  { id: 'cookies', href: '/console/cookie-consents', label: 'Cookies' },
  { id: 'audiences', href: '/console/audiences', label: 'Audiences' },
  { id: 'webhooks', href: '/console/webhooks', label: 'Propagation' },
  { id: 'account', href: '/console/account', label: 'Account' },
];

/**
 * Who a page is for: the signed-in principal, and the permission each route declares (the server's route
 * table, so a section's permission is written once, on its route).
 */
export type Viewer = {
  principal: Principal | undefined;
  permissionOf: (method: string, url: string) => string | undefined;
};

/**
 * The sections the viewer may open: those whose page route's declared permission the principal holds in
 * at least one company (group owners: all). Without a viewer (a page rendered outside a request) every
 * section is listed; the routes decide access either way, this only hides what would answer 403.
 */
export function navFor(viewer: Viewer | undefined): typeof CONSOLE_NAV {
  if (!viewer) return CONSOLE_NAV;
  const p = viewer.principal;
  if (!p) return [];
  return CONSOLE_NAV.filter((e) => {
    const permission = viewer.permissionOf('GET', e.href);
    return permission !== undefined && can(p, permission);
  });
}

/**
 * May the person this page is rendered for do this: in that company, or without one in at least one
 * company? For hiding buttons and forms a page offers (the route still decides). False outside a request.
 */
export function viewerCan(permission: string, orgId?: string): boolean {
  const p = pageContext()?.principal();
  return p !== undefined && can(p, permission, orgId);
}

function viewerFromContext(): Viewer | undefined {
  const ctx = pageContext();
  return ctx && { principal: ctx.principal(), permissionOf: ctx.permissionOf };
}

/** The console's top bar: the sections the viewer may open, the privacy center, the API docs, sign out. */
export function consoleHeader(opts: {
  active?: string;
  viewer?: Viewer;
  path?: string;
  lang?: Language;
}): Html {
  const entries = navFor(opts.viewer);
  const current = entries.find((e) => e.href === opts.path)?.id ?? opts.active;
  const signedIn = !opts.viewer || opts.viewer.principal !== undefined;
  // On a phone the sections hide behind "Menu" (a checkbox and its label, CSS only: the CSP allows no
  // inline script); on a wider screen the toggle is not shown and the sections stand in their own row.
  const w = shellWords(opts.lang);
  const toggle = html`<input type="checkbox" id="console-menu" class="menu-toggle"><label for="console-menu" class="menu-toggle">${w.menu}</label>`;
  return html`<header class="top"><a class="brand" href="/console">Ombud</a>${entries.length > 0 ? toggle : ''}<nav aria-label="${w.navLabel}">${entries.map(
    (e) =>
      html`<a href="${e.href}"${raw(current === e.id ? ' aria-current="page"' : '')}>${w.nav[e.id] ?? e.label}</a>`,
  )}</nav><a href="/privacy">${w.privacyCenter}</a><a href="/api/docs">API</a>${
    signedIn
      ? html`<form class="inline" method="post" action="/console/logout"><button class="secondary" type="submit">${w.signOut}</button></form>`
      : html`<a href="/console/login">${w.signIn}</a>`
  }</header>`;
}

/**
 * A console page. The navigation is built for the signed-in person: `viewer` when given, else the
 * request being answered (src/web/pageContext.ts), so page functions need not pass anything. The page is
 * in the request's console language (`<html lang>`, the shell's words); the title's " · Ombud" stays.
 */
export function consolePage(opts: {
  title: string;
  body: Html | Html[];
  active?: string;
  viewer?: Viewer;
  /** The page's language when no page context carries it (an error page); else the request's. */
  lang?: Language;
}): string {
  const viewer = opts.viewer ?? viewerFromContext();
  const lang = opts.lang ?? consoleLanguage();
  return html`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<title>${opts.title} · Ombud</title><style>${raw(BASE_CSS)}</style></head><body>
${consoleHeader({ active: opts.active, viewer, path: pageContext()?.path, lang })}
<main>${opts.body}</main></body></html>`.value;
}
