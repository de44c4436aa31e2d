/** Page shells for the public privacy center and the admin console. Server-rendered HTML. */
import { type Html, html, raw } from '../core/html.ts';
import { can, type Principal } from '../core/policies/permissions.ts';
import { pageContext } from './pageContext.ts';

export const BASE_CSS = `*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f7f8fa}
a{color:#1a56c4}header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem 1.1rem;background:#13233f;color:#fff;padding:.7rem 1.4rem;font-size:.875rem}
header.top a{color:#dce6f7;text-decoration:none}header.top a:hover{color:#fff}header.top .brand{font-weight:700;font-size:1.1rem;color:#fff;margin-right:.5rem}
header.top nav{display:flex;flex-wrap:wrap;gap:.4rem .8rem;flex:1}header.top nav a[aria-current=page]{color:#fff;font-weight:600;text-decoration:underline;text-underline-offset:.3em}main{max-width:76rem;margin:1.4rem auto;padding:0 1.4rem}
.card{background:#fff;border:1px solid #e1e5ec;border-radius:10px;padding:1rem 1.2rem;margin-bottom:1.2rem}
h1{font-size:1.6rem;margin:.3rem 0 1rem}h2{font-size:1.2rem;margin:.2rem 0 .8rem}
table.data{border-collapse:collapse;width:100%;font-size:.92rem}table.data th,table.data td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid #eceff3;vertical-align:top}
table.data th{font-weight:600;color:#3c4657;background:#fafbfc}.pill{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:.78rem;background:#eef1f5;margin:0 .2rem .2rem 0}
.pill.consent{background:#e6f4ea}.pill.legitimate-interests{background:#fef7e0}.pill.contract{background:#e8f0fe}.pill.legal-obligation{background:#f1e8fd}.pill.warn{background:#fce8e6;color:#8c1d18}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:1rem}.stat{font-size:1.8rem;font-weight:700}.muted{color:#5f6b7c}
form.inline{display:inline}button,.button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:1px solid #1a56c4;background:#1a56c4;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#1a56c4}input,select,textarea{font:inherit;padding:.45rem .6rem;border:1px solid #c4ccd8;border-radius:6px}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}.error{background:#fce8e6;border:1px solid #f3b7b1;color:#8c1d18;padding:.6rem .8rem;border-radius:6px}
.diagram{overflow-x:auto}footer.site{max-width:76rem;margin:2rem auto;padding:1rem 1.4rem;color:#5f6b7c;font-size:.88rem;border-top:1px solid #e1e5ec}
.card{overflow-x:auto}.grid>.card{margin-bottom:0}.grid:has(>.card){margin-bottom:1.2rem}@media (max-width:40rem){header.top{padding:.6rem 1rem;gap:.5rem .75rem}.grid{grid-template-columns:repeat(auto-fit,minmax(9rem,1fr))}header.top button{padding:.3rem .7rem}header.top .brand{margin-right:auto}
header.top nav{order:3;flex-basis:100%;gap:.35rem 1rem;padding-top:.45rem;border-top:1px solid #2a3d60}main{padding:0 1rem}}`;

/** The console's sections: id (a page's `active`), link, label. Each is shown only to who may open it. */
export const CONSOLE_NAV: readonly { id: string; href: string; label: string }[] = [
  { id: 'register', href: '/console', label: 'Register' },
  { id: 'diagram', href: '/console/data-flow', label: 'Data flow' },
  { id: 'notices', href: '/console/notices', label: 'Notices' },
  { id: 'requests', href: '/console/requests', label: 'Requests' },
  { id: 'tasks', href: '/console/fulfilment/tasks', label: 'Tasks' },
  { id: 'retention', href: '/console/retention', label: 'Retention' },
  { id: 'audit', href: '/console/audit', label: 'Audit log' },
  { id: 'people', href: '/console/users', label: 'People' },
  { id: 'consent', href: '/console/consent', label: 'Consent' },
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
export function consoleHeader(opts: { active?: string; viewer?: Viewer; path?: string }): Html {
  const entries = navFor(opts.viewer);
  const current = entries.find((e) => e.href === opts.path)?.id ?? opts.active;
  const signedIn = !opts.viewer || opts.viewer.principal !== undefined;
  return html`<header class="top"><a class="brand" href="/console">Ombud</a><nav aria-label="Console">${entries.map(
    (e) => html`<a href="${e.href}"${raw(current === e.id ? ' aria-current="page"' : '')}>${e.label}</a>`,
  )}</nav><a href="/privacy">Privacy center</a><a href="/api/docs">API</a>${
    signedIn
      ? raw(
          '<form class="inline" method="post" action="/console/logout"><button class="secondary" type="submit">Sign out</button></form>',
        )
      : raw('<a href="/console/login">Sign in</a>')
  }</header>`;
}

/**
 * A console page. The navigation is built for the signed-in person: `viewer` when given, else the
 * request being answered (src/web/pageContext.ts), so page functions need not pass anything.
 */
export function consolePage(opts: {
  title: string;
  body: Html | Html[];
  active?: string;
  viewer?: Viewer;
}): string {
  const viewer = opts.viewer ?? viewerFromContext();
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · Ombud</title><style>${raw(BASE_CSS)}</style></head><body>
${consoleHeader({ active: opts.active, viewer, path: pageContext()?.path })}
<main>${opts.body}</main></body></html>`.value;
}

export function publicPage(opts: { title: string; lang: string; body: Html | Html[]; css?: string }): string {
  return html`<!doctype html><html lang="${opts.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title><style>${raw(BASE_CSS)}${raw(opts.css ?? '')}</style></head><body>
<main>${opts.body}</main></body></html>`.value;
}
