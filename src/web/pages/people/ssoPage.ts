/**
 * The single sign-on mapping, read-only from the configuration (docs/sso.md): each provider, the claim it
 * reads, and which claim value gives which role in which company (or group ownership). A company the
 * current register does not know is flagged: that row grants nothing anyone can use.
 */
import { type Html, html } from '../../../core/html.ts';
import { ROLE_LABELS } from '../../../core/policies/permissions.ts';
import type { SsoConfig, SsoProvider } from '../../../core/sso/providers.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';

function mappingRows(p: SsoProvider, companies: ReadonlySet<string>): Html[] {
  return p.mapping.map((m) =>
    'owner' in m
      ? html`<tr><td><code>${m.value}</code></td><td>every company</td><td>${pill('group owner')}</td></tr>`
      : html`<tr><td><code>${m.value}</code></td><td>${m.company}${companies.has(m.company) ? '' : html` ${pill('not in the register', 'warn')}`}</td><td>${pill(m.role, undefined, ROLE_LABELS[m.role])}</td></tr>`,
  );
}

function providerCard(
  p: SsoProvider,
  linked: number,
  companies: ReadonlySet<string>,
  redirectUri: string,
): Html {
  const table = dataTable({ head: ['Claim value', 'Company', 'Role'], rows: mappingRows(p, companies) });
  return html`<section class="card" data-provider="${p.id}"><h2>${p.name} <span class="muted">(${p.id})</span></h2>
<p>Issuer <code>${p.issuer}</code>, client <code>${p.clientId}</code>, scopes <code>${p.scopes.join(' ')}</code>. Roles come from the claim <code>${p.claim}</code>${p.userinfo ? ' (ID token and UserInfo)' : ' (ID token)'}. Callback URL to register at the provider: <code>${redirectUri}</code>. People linked: ${linked}.</p>
${table}</section>`;
}

export function ssoPage(opts: {
  sso: SsoConfig | undefined;
  linked: ReadonlyMap<string, number>;
  companies: ReadonlySet<string>;
  redirectUri: (p: SsoProvider) => string;
}): Html {
  const { sso } = opts;
  const intro = sso
    ? html`<p>At every sign-in through a provider, the roles it granted are set anew from this table: a value the person no longer has loses its role at their next sign-in. Roles granted by hand on the People page stay until revoked there. ${sso.only ? html`<strong>Single sign-on only:</strong> password sign-in, password links and invitations are turned off.` : 'Password sign-in stays available.'}</p>`
    : html`<p>Single sign-on is not configured: name a providers file in <code>OMBUD_OIDC_PROVIDERS</code> (docs/sso.md).</p>`;
  const cards = (sso?.providers ?? []).map((p) =>
    providerCard(p, opts.linked.get(p.id) ?? 0, opts.companies, opts.redirectUri(p)),
  );
  return consoleShell(
    'Single sign-on',
    'people',
    html`<h1>Single sign-on</h1><div class="card">${intro}</div>${cards}`,
  );
}
