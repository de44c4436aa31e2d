/** People of the caller's companies with their roles in words, their state, and the invite form. */
import { type Html, html } from '../../../core/html.ts';
import { ROLE_LABELS, ROLES, type Role } from '../../../core/policies/permissions.ts';
import type { listPeople } from '../../../services/users/accounts.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { postButton } from '../../components/postButton.ts';

type Person = Awaited<ReturnType<typeof listPeople>>[number];
/** The companies by id, with their names from the register. */
export type OrgNames = ReadonlyArray<{ id: string; name: string }>;

const orgName = (orgs: OrgNames, id: string) => orgs.find((o) => o.id === id)?.name ?? id;

/** A role in words: "Auditor (read-only) at Provendo AB". */
export const roleInWords = (orgs: OrgNames, r: { role: string; orgId: string }) =>
  `${ROLE_LABELS[r.role as Role] ?? r.role} at ${orgName(orgs, r.orgId)}`;

export function statusPill(p: { disabled: boolean; pending: boolean }): Html | string {
  if (p.disabled) return pill('disabled', 'warn');
  if (p.pending) return pill('invited, not yet accepted');
  return 'active';
}

function personRow(p: Person, orgs: OrgNames): Html {
  return html`<tr><td><a href="/console/users/${p.id}">${p.name || 'a person without a name'}</a></td><td>${p.email}</td><td>${p.isOwner ? pill('group owner') : ''}${p.roles.map((r) => pill(roleInWords(orgs, r)))}</td><td>${p.totp ? 'TOTP' : '—'}</td><td>${statusPill(p)}</td>
<td>${p.disabled || p.isOwner ? '' : html`${postButton(`/console/users/${p.id}/reset`, 'Reset link', { secondary: true })} ${postButton(`/console/users/${p.id}/disable`, 'Disable', { secondary: true })}`}</td></tr>`;
}

function inviteForm(orgs: OrgNames): Html {
  return html`<form class="card" method="post" action="/console/users/invite"><h2>Invite a person</h2><div class="grid">
<div><label for="email">E-mail</label><input id="email" name="email" type="email" required></div>
<div><label for="name">Name</label><input id="name" name="name"></div>
<div><label for="orgId">Company</label><select id="orgId" name="orgId">${orgs.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></div>
<div><label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
<div><label for="lang">Language of the invitation</label><select id="lang" name="lang"><option value="en">English</option><option value="sv">Svenska</option><option value="nb">Norsk bokmål</option></select></div>
</div><p><button type="submit">Invite</button></p></form>`;
}

/** A link created for a person (invitation, password reset), shown once. */
export function shownOnce(what: string, url: string, hours: number): Html {
  return html`<div class="card" role="status"><p><strong>${what}</strong> Send this link to the person; it is shown only now and works once within ${hours} hours:</p><p><code>${url}</code></p></div>`;
}

/** An invitation that went by mail. */
export function invitationMailed(lang: string): Html {
  const words: Record<string, string> = { en: 'English', sv: 'Swedish', nb: 'Norwegian (bokmål)' };
  return html`<div class="card" role="status"><p><strong>Invitation mailed</strong> in ${words[lang] ?? lang}. The person shows as invited until they follow the link and set a password.</p></div>`;
}

export function peoplePage(people: Person[], orgs: OrgNames, notice?: Html): Html {
  const table = dataTable({
    head: ['Name', 'E-mail', 'Roles', 'Second factor', 'Status', ''],
    rows: people.map((p) => personRow(p, orgs)),
  });
  const body = html`<h1>People</h1>${notice ?? ''}<div class="card">${table}</div>
${inviteForm(orgs)}`;
  return consoleShell('People', 'people', body);
}
