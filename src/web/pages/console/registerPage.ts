/** The console's home: the register as applied, its companies, purposes and systems. */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { LEGAL_BASIS_ARTICLE, t } from '../../../core/register/schema.ts';
import type { StoredRegister } from '../../../services/register/currentRegister.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { utcTime } from '../../components/utcTime.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { viewerCan } from '../../layout.ts';

// The record of processing is offered only where the person may read it (ropa:read in that company).
const ropaLinks = (orgId: string) =>
  viewerCan('ropa:read', orgId)
    ? html`Record of processing: <a href="/api/v1/organizations/${orgId}/ropa?format=csv" download>CSV</a> · <a href="/api/v1/organizations/${orgId}/ropa?format=json">JSON</a><br>`
    : '';

function organizations(ix: RegisterIndex): Html {
  return dataTable({
    head: ['Company', 'Country', 'Authority', 'Purposes', 'Documents'],
    rows: ix.register.organizations.map((o) => {
      const authority = ix.authorityOf(o.id);
      return html`<tr><td><strong>${o.legalName}</strong><br><span class="muted">${o.registrationNumber} · ${o.id}</span></td><td>${o.country}</td><td>${authority ? t(authority.name, 'en') : o.supervisoryAuthority}</td>
<td>${ix.purposesOf(o.id).length}</td><td>${ropaLinks(o.id)}<a href="/privacy/${o.id}">Notice</a></td></tr>`;
    }),
  });
}

function purposes(ix: RegisterIndex): Html {
  return dataTable({
    head: ['Purpose', 'Data and legal basis', 'Controllers', 'Recipients', 'Retention'],
    rows: ix.register.purposes.map((p) => {
      const rule = p.retention ? ix.retentionRules.get(p.retention) : undefined;
      return html`<tr id="purpose-${p.id}"><td><strong>${t(p.name, 'en')}</strong><br><span class="muted">${p.id} · ${p.dataUse}</span></td>
<td>${p.data.map((d) => html`<div><span class="pill ${d.legalBasis}" title="${LEGAL_BASIS_ARTICLE[d.legalBasis]}">${d.legalBasis}</span> ${d.categories.map((c) => ix.categoryLabel(c, 'en')).join(', ')}</div>`)}</td>
<td>${p.controllers.map((c) => pill(c))}</td>
<td>${ix.recipientsOf(p).map((s) => pill(s.name, ix.thirdCountries(s).length > 0 ? 'warn' : undefined))}</td>
<td>${p.retention ? (rule ? t(rule.name, 'en') : p.retention) : ''}</td></tr>`;
    }),
  });
}

function systems(ix: RegisterIndex): Html {
  return dataTable({
    head: ['System', 'Role', 'Operator', 'DPA', 'Storage', 'Transfer'],
    rows: ix.register.systems.map(
      (
        s,
      ) => html`<tr><td><strong>${s.name}</strong><br><span class="muted">${s.id}</span></td><td>${s.role}</td><td>${s.operator}</td><td>${s.role === 'processor' ? (s.dpa ? 'yes' : pill('missing', 'warn')) : '—'}</td>
<td>${s.storageCountries.join(', ')}</td><td>${s.transfer ? `${s.transfer.mechanism} (${s.transfer.countries.join(', ')})` : ''}</td></tr>`,
    ),
  });
}

export function registerPage(ix: RegisterIndex, stored: StoredRegister): Html {
  const reg = ix.register;
  const stats = [
    ['Organizations', reg.organizations.length],
    ['Purposes', reg.purposes.length],
    ['Systems and recipients', reg.systems.length],
    ['Cookies', reg.cookies.length],
  ] as const;
  const body = html`<h1>${reg.group.name} — register</h1>
<p class="muted">Revision ${stored.revision} · applied ${utcTime(stored.appliedAt)} UTC by ${stored.appliedBy}</p>
<div class="grid">
${stats.map(([l, n]) => html`<div class="card"><div class="stat">${n}</div><div class="muted">${l}</div></div>`)}
</div>
${card(organizations(ix), { title: 'Organizations (controllers)', tag: 'section' })}
${card(purposes(ix), { title: 'Purposes', tag: 'section' })}
${card(systems(ix), { title: 'Systems and recipients', tag: 'section' })}`;
  return consoleShell('Register', 'register', body);
}
