/** One person for a manager: their state, roles in words, actions, and their own history from the audit log. */
import { type Html, html } from '../../../core/html.ts';
import { ROLES } from '../../../core/policies/permissions.ts';
import type { RefNames } from '../../../services/audit/names.ts';
import type { personWithHistory } from '../../../services/users/personHistory.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { postButton } from '../../components/postButton.ts';
import { utcTime } from '../../components/utcTime.ts';
import { refLink } from '../../components/refLink.ts';
import { type OrgNames, roleInWords, statusPill } from './peoplePage.ts';
import { peopleWords } from './words.ts';

type Person = Awaited<ReturnType<typeof personWithHistory>>;

function what(r: Person['history'][number], orgs: OrgNames): string {
  const label = peopleWords().actions[r.action] ?? r.action;
  const role = typeof r.details.role === 'string' ? r.details.role : undefined;
  return role && r.org_id ? `${label}: ${roleInWords(orgs, { role, orgId: r.org_id })}` : label;
}

function roleForms(p: Person, orgs: OrgNames): Html {
  if (p.disabled || p.isOwner) return html``;
  const w = peopleWords();
  const revoke = p.roles.map(
    (r) =>
      html`<li>${roleInWords(orgs, r)} ${postButton(`/console/users/${p.id}/roles/revoke`, w.takeAway, { secondary: true, hidden: { orgId: r.orgId, role: r.role } })}</li>`,
  );
  return html`<div class="card"><h2>${w.rolesHead}</h2><ul>${revoke}</ul>
<form method="post" action="/console/users/${p.id}/roles"><div class="grid">
<div><label for="orgId">${w.company}</label><select id="orgId" name="orgId">${orgs.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></div>
<div><label for="role">${w.role}</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${w.roles[r]}</option>`)}</select></div>
</div><p><button type="submit" class="secondary">${w.grantRole}</button></p></form></div>`;
}

export function personPage(p: Person, orgs: OrgNames, names: RefNames): Html {
  const w = peopleWords();
  const history = dataTable({
    head: [w.whenUtc, w.what, w.by],
    rows: p.history.map(
      (r) =>
        html`<tr><td>${utcTime(r.at, { seconds: true })}</td><td>${what(r, orgs)}</td><td>${refLink(r.actor, names)}</td></tr>`,
    ),
  });
  const actions =
    p.disabled || p.isOwner
      ? ''
      : html`<p>${postButton(`/console/users/${p.id}/reset`, w.resetLink, { secondary: true })} ${postButton(`/console/users/${p.id}/disable`, w.disable, { secondary: true })}</p>`;
  const body = html`<h1>${p.name || w.noNameTitle}</h1>
<div class="card"><p>${p.email} · ${statusPill(p)} ${p.isOwner ? pill(w.groupOwner) : ''}</p>
<p>${p.roles.length ? p.roles.map((r) => pill(roleInWords(orgs, r))) : w.noRole}</p>${actions}</div>
${roleForms(p, orgs)}
<div class="card"><h2>${w.history}</h2>${history}</div>`;
  return consoleShell(p.name || w.person, 'people', body);
}
