/**
 * The single sign-on mapping, read-only from the configuration (docs/sso.md): each provider, the claim it
 * reads, and which claim value gives which role in which company (or group ownership). A company the
 * current register does not know is flagged: that row grants nothing anyone can use.
 */
import { type Html, html } from '../../../core/html.ts';
import type { SsoConfig, SsoProvider } from '../../../core/sso/providers.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { peopleWords } from './words.ts';

function mappingRows(p: SsoProvider, companies: ReadonlySet<string>): Html[] {
  const w = peopleWords();
  return p.mapping.map((m) =>
    'owner' in m
      ? html`<tr><td><code>${m.value}</code></td><td>${w.everyCompany}</td><td>${pill(w.groupOwner)}</td></tr>`
      : html`<tr><td><code>${m.value}</code></td><td>${m.company}${companies.has(m.company) ? '' : html` ${pill(w.notInRegister, 'warn')}`}</td><td>${pill(m.role, undefined, w.roles[m.role])}</td></tr>`,
  );
}

function providerCard(
  p: SsoProvider,
  linked: number,
  companies: ReadonlySet<string>,
  redirectUri: string,
): Html {
  const w = peopleWords();
  const table = dataTable({ head: [w.claimValue, w.company, w.role], rows: mappingRows(p, companies) });
  return html`<section class="card" data-provider="${p.id}"><h2>${p.name} <span class="muted">(${p.id})</span></h2>
<p>${w.issuer} <code>${p.issuer}</code>, ${w.client} <code>${p.clientId}</code>, ${w.scopes} <code>${p.scopes.join(' ')}</code>. ${w.rolesFromClaim} <code>${p.claim}</code> ${p.userinfo ? w.idTokenUserinfo : w.idToken}. ${w.callbackUrl} <code>${redirectUri}</code>. ${w.linked} ${linked}.</p>
${table}</section>`;
}

export function ssoPage(opts: {
  sso: SsoConfig | undefined;
  linked: ReadonlyMap<string, number>;
  companies: ReadonlySet<string>;
  redirectUri: (p: SsoProvider) => string;
}): Html {
  const { sso } = opts;
  const w = peopleWords();
  const intro = sso
    ? html`<p>${w.ssoIntro} ${sso.only ? html`<strong>${w.ssoOnly}</strong> ${w.ssoOnlyText}` : w.passwordStays}</p>`
    : html`<p>${w.ssoNotConfigured} <code>OMBUD_OIDC_PROVIDERS</code> (docs/sso.md).</p>`;
  const cards = (sso?.providers ?? []).map((p) =>
    providerCard(p, opts.linked.get(p.id) ?? 0, opts.companies, opts.redirectUri(p)),
  );
  return consoleShell(w.sso, 'people', html`<h1>${w.sso}</h1><div class="card">${intro}</div>${cards}`);
}
