/** One person for a manager: their state, roles in words, actions, and their own history from the audit log. */
import { type Html, html } from '../../../core/html.ts';
import { ROLE_LABELS, ROLES } from '../../../core/policies/permissions.ts';
import type { RefNames } from '../../../services/audit/names.ts';
import type { personWithHistory } from '../../../services/users/personHistory.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { postButton } from '../../components/postButton.ts';
import { utcTime } from '../../components/utcTime.ts';
import { refLink } from '../../components/refLink.ts';
import { type OrgNames, roleInWords, statusPill } from './peoplePage.ts';

type Person = Awaited<ReturnType<typeof personWithHistory>>;

const ACTIONS: Record<string, string> = {
  'user.create': 'Account created',
  'user.invite': 'Invited',
  'user.invite-accepted': 'Invitation accepted, password set',
  'user.password-set': 'Password set with a reset link',
  'user.reset-issued': 'Password reset link issued',
  'user.disable': 'Disabled',
  'role.grant': 'Role granted',
  'role.revoke': 'Role taken away',
  'user.read': 'Page read',
  'auth.login': 'Signed in',
};

function what(r: Person['history'][number], orgs: OrgNames): string {
  const label = ACTIONS[r.action] ?? r.action;
  const role = typeof r.details.role === 'string' ? r.details.role : undefined;
  return role && r.org_id ? `${label}: ${roleInWords(orgs, { role, orgId: r.org_id })}` : label;
}

function roleForms(p: Person, orgs: OrgNames): Html {
  if (p.disabled || p.isOwner) return html``;
  const revoke = p.roles.map(
    (r) =>
      html`<li>${roleInWords(orgs, r)} ${postButton(`/console/users/${p.id}/roles/revoke`, 'Take away', { secondary: true, hidden: { orgId: r.orgId, role: r.role } })}</li>`,
  );
  return html`<div class="card"><h2>Roles</h2><ul>${revoke}</ul>
<form method="post" action="/console/users/${p.id}/roles"><div class="grid">
<div><label for="orgId">Company</label><select id="orgId" name="orgId">${orgs.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></div>
<div><label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
</div><p><button type="submit" class="secondary">Grant role</button></p></form></div>`;
}

export function personPage(p: Person, orgs: OrgNames, names: RefNames): Html {
  const history = dataTable({
    head: ['When (UTC)', 'What', 'By'],
    rows: p.history.map(
      (r) =>
        html`<tr><td>${utcTime(r.at, { seconds: true })}</td><td>${what(r, orgs)}</td><td>${refLink(r.actor, names)}</td></tr>`,
    ),
  });
  const actions =
    p.disabled || p.isOwner
      ? ''
      : html`<p>${postButton(`/console/users/${p.id}/reset`, 'Reset link', { secondary: true })} ${postButton(`/console/users/${p.id}/disable`, 'Disable', { secondary: true })}</p>`;
  const body = html`<h1>${p.name || 'A person without a name'}</h1>
<div class="card"><p>${p.email} · ${statusPill(p)} ${p.isOwner ? pill('group owner') : ''}</p>
<p>${p.roles.length ? p.roles.map((r) => pill(roleInWords(orgs, r))) : 'No company role.'}</p>${actions}</div>
${roleForms(p, orgs)}
<div class="card"><h2>History</h2>${history}</div>`;
  return consoleShell(p.name || 'Person', 'people', body);
}
