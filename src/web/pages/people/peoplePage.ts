/** People of the caller's companies with their roles in words, their state, and the invite form. */
import { type Html, html } from '../../../core/html.ts';
import { ROLES, type Role } from '../../../core/policies/permissions.ts';
import type { listPeople } from '../../../services/users/accounts.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { postButton } from '../../components/postButton.ts';
import { peopleWords } from './words.ts';

type Person = Awaited<ReturnType<typeof listPeople>>[number];
/** The companies by id, with their names from the register. */
export type OrgNames = ReadonlyArray<{ id: string; name: string }>;

const orgName = (orgs: OrgNames, id: string) => orgs.find((o) => o.id === id)?.name ?? id;

/** A role in words: "Auditor (read-only) at Provendo AB". */
export const roleInWords = (orgs: OrgNames, r: { role: string; orgId: string }) => {
  const w = peopleWords();
  return w.roleAt(w.roles[r.role as Role] ?? r.role, orgName(orgs, r.orgId));
};

export function statusPill(p: { disabled: boolean; pending: boolean }): Html | string {
  const w = peopleWords();
  if (p.disabled) return pill(w.disabled, 'warn');
  if (p.pending) return pill(w.invitedPending);
  return w.active;
}

function personRow(p: Person, orgs: OrgNames): Html {
  const w = peopleWords();
  return html`<tr><td><a href="/console/users/${p.id}">${p.name || w.noName}</a></td><td>${p.email}</td><td>${p.isOwner ? pill(w.groupOwner) : ''}${p.roles.map((r) => pill(roleInWords(orgs, r)))}</td><td>${p.totp ? 'TOTP' : '—'}</td><td>${statusPill(p)}</td>
<td>${p.disabled || p.isOwner ? '' : html`${postButton(`/console/users/${p.id}/reset`, w.resetLink, { secondary: true })} ${postButton(`/console/users/${p.id}/disable`, w.disable, { secondary: true })}`}</td></tr>`;
}

function inviteForm(orgs: OrgNames): Html {
  const w = peopleWords();
  return html`<form class="card" method="post" action="/console/users/invite"><h2>${w.invitePerson}</h2><div class="grid">
<div><label for="email">${w.email}</label><input id="email" name="email" type="email" required></div>
<div><label for="name">${w.name}</label><input id="name" name="name"></div>
<div><label for="orgId">${w.company}</label><select id="orgId" name="orgId">${orgs.map((o) => html`<option value="${o.id}">${o.name}</option>`)}</select></div>
<div><label for="role">${w.role}</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${w.roles[r]}</option>`)}</select></div>
<div><label for="lang">${w.inviteLanguage}</label><select id="lang" name="lang"><option value="en">English</option><option value="sv">Svenska</option><option value="nb">Norsk bokmål</option></select></div>
</div><p><button type="submit">${w.invite}</button></p></form>`;
}

/** A link created for a person (invitation, password reset), shown once. */
export function shownOnce(what: string, url: string, hours: number): Html {
  return html`<div class="card" role="status"><p><strong>${what}</strong> ${peopleWords().shownOnce(hours)}</p><p><code>${url}</code></p></div>`;
}

/** An invitation that went by mail. */
export function invitationMailed(lang: string): Html {
  const w = peopleWords();
  return html`<div class="card" role="status"><p><strong>${w.invitationMailed}</strong> ${w.mailedIn(w.languageNames[lang] ?? lang)}</p></div>`;
}

export function peoplePage(people: Person[], orgs: OrgNames, notice?: Html): Html {
  const w = peopleWords();
  const table = dataTable({
    head: [w.name, w.email, w.rolesHead, w.secondFactor, w.status, ''],
    rows: people.map((p) => personRow(p, orgs)),
  });
  const body = html`<h1>${w.people}</h1>${notice ?? ''}<div class="card">${table}</div>
${inviteForm(orgs)}`;
  return consoleShell(w.people, 'people', body);
}
