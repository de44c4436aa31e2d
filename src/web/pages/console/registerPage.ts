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
import { consoleLanguage } from '../../i18n/catalogue.ts';
import { viewerCan } from '../../layout.ts';
import { consoleWords } from './words.ts';

// The record of processing is offered only where the person may read it (ropa:read in that company).
const ropaLinks = (orgId: string) =>
  viewerCan('ropa:read', orgId)
    ? html`${consoleWords().ropa} <a href="/api/v1/organizations/${orgId}/ropa?format=csv" download>CSV</a> · <a href="/api/v1/organizations/${orgId}/ropa?format=json">JSON</a><br>`
    : '';

function organizations(ix: RegisterIndex): Html {
  const w = consoleWords();
  const lang = consoleLanguage();
  return dataTable({
    head: [w.company, w.country, w.authority, w.purposes, w.documents],
    rows: ix.register.organizations.map((o) => {
      const authority = ix.authorityOf(o.id);
      return html`<tr><td><strong>${o.legalName}</strong><br><span class="muted">${o.registrationNumber} · ${o.id}</span></td><td>${o.country}</td><td>${authority ? t(authority.name, lang) : o.supervisoryAuthority}</td>
<td>${ix.purposesOf(o.id).length}</td><td>${ropaLinks(o.id)}<a href="/privacy/${o.id}">${w.notice}</a></td></tr>`;
    }),
  });
}

function purposes(ix: RegisterIndex): Html {
  const w = consoleWords();
  const lang = consoleLanguage();
  return dataTable({
    head: [w.purpose, w.dataAndBasis, w.controllers, w.recipients, w.retention],
    rows: ix.register.purposes.map((p) => {
      const rule = p.retention ? ix.retentionRules.get(p.retention) : undefined;
      return html`<tr id="purpose-${p.id}"><td><strong>${t(p.name, lang)}</strong><br><span class="muted">${p.id} · ${p.dataUse}</span></td>
<td>${p.data.map((d) => html`<div><span class="pill ${d.legalBasis}" title="${LEGAL_BASIS_ARTICLE[d.legalBasis]}">${d.legalBasis}</span> ${d.categories.map((c) => ix.categoryLabel(c, lang)).join(', ')}</div>`)}</td>
<td>${p.controllers.map((c) => pill(c))}</td>
<td>${ix.recipientsOf(p).map((s) => pill(s.name, ix.thirdCountries(s).length > 0 ? 'warn' : undefined))}</td>
<td>${p.retention ? (rule ? t(rule.name, lang) : p.retention) : ''}</td></tr>`;
    }),
  });
}

function systems(ix: RegisterIndex): Html {
  const w = consoleWords();
  return dataTable({
    head: [w.system, w.role, w.operator, w.dpa, w.storage, w.transfer],
    rows: ix.register.systems.map(
      (
        s,
      ) => html`<tr><td><strong>${s.name}</strong><br><span class="muted">${s.id}</span></td><td>${s.role}</td><td>${s.operator}</td><td>${s.role === 'processor' ? (s.dpa ? w.yes : pill(w.missing, 'warn')) : '—'}</td>
<td>${s.storageCountries.join(', ')}</td><td>${s.transfer ? `${s.transfer.mechanism} (${s.transfer.countries.join(', ')})` : ''}</td></tr>`,
    ),
  });
}

export function registerPage(ix: RegisterIndex, stored: StoredRegister): Html {
  const reg = ix.register;
  const w = consoleWords();
  const stats = [
    [w.organizations, reg.organizations.length],
    [w.purposes, reg.purposes.length],
    [w.systemsAndRecipients, reg.systems.length],
    [w.cookies, reg.cookies.length],
  ] as const;
  const body = html`<h1>${w.registerOf(reg.group.name)}</h1>
<p class="muted">${w.applied(stored.revision, utcTime(stored.appliedAt), stored.appliedBy)}</p>
<div class="grid">
${stats.map(([l, n]) => html`<div class="card"><div class="stat">${n}</div><div class="muted">${l}</div></div>`)}
</div>
${card(organizations(ix), { title: w.organizationsTitle, tag: 'section' })}
${card(purposes(ix), { title: w.purposes, tag: 'section' })}
${card(systems(ix), { title: w.systemsAndRecipients, tag: 'section' })}`;
  return consoleShell(w.register, 'register', body);
}
