/** People of the caller's companies with their roles, reset and disable buttons, and the invite form. */
import { type Html, html } from '../../../core/html.ts';
import { ROLE_LABELS, ROLES } from '../../../core/policies/permissions.ts';
import type { listPeople } from '../../../services/users/accounts.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { postButton } from '../../components/postButton.ts';

type Person = Awaited<ReturnType<typeof listPeople>>[number];

function personRow(p: Person): Html {
  return html`<tr><td>${p.name}</td><td>${p.email}</td><td>${p.isOwner ? pill('group owner') : ''}${p.roles.map((r) => pill(`${r.role} @ ${r.orgId}`, undefined, ROLE_LABELS[r.role]))}</td><td>${p.totp ? 'TOTP' : '—'}</td><td>${p.disabled ? pill('disabled', 'warn') : 'active'}</td>
<td>${p.disabled || p.isOwner ? '' : html`${postButton(`/console/users/${p.id}/reset`, 'Reset link', { secondary: true })} ${postButton(`/console/users/${p.id}/disable`, 'Disable', { secondary: true })}`}</td></tr>`;
}

function inviteForm(orgs: readonly string[]): Html {
  return html`<form class="card" method="post" action="/console/users/invite"><h2>Invite a person</h2><div class="grid">
<div><label for="email">E-mail</label><input id="email" name="email" type="email" required></div>
<div><label for="name">Name</label><input id="name" name="name"></div>
<div><label for="orgId">Company</label><select id="orgId" name="orgId">${orgs.map((o) => html`<option value="${o}">${o}</option>`)}</select></div>
<div><label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
</div><p><button type="submit">Invite</button></p></form>`;
}

/** A link created for a person (invitation, password reset), shown once. */
export function shownOnce(what: string, url: string, hours: number): Html {
  return html`<div class="card" role="status"><p><strong>${what}</strong> Send this link to the person; it is shown only now and works once within ${hours} hours:</p><p><code>${url}</code></p></div>`;
}

export function peoplePage(people: Person[], orgs: readonly string[], notice?: Html): Html {
  const table = dataTable({
    head: ['Name', 'E-mail', 'Roles', 'Second factor', 'Status', ''],
    rows: people.map(personRow),
  });
  const body = html`<h1>People</h1>${notice ?? ''}<div class="card">${table}</div>
${inviteForm(orgs)}`;
  return consoleShell('People', 'people', body);
}
