/**
 * One customer at the consent desk: per company of the group (those the agent may see) what may be sent on
 * which channel and on which basis, a change on the customer's behalf where the agent may write, and the
 * full history as proof (wording, notice version, source, actor).
 */
import type { ConsentEvent, EventKind } from '../../../core/consent/event.ts';
import type { Identity } from '../../../core/consent/identity.ts';
import { DIRECT_MARKETING, EVERY_CHANNEL } from '../../../core/consent/rules.ts';
import { type Html, html } from '../../../core/html.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { type Cell, tableRow } from '../../components/tableRow.ts';
import { errorBox } from '../../components/errorBox.ts';
import { pill } from '../../components/pill.ts';
import { postForm } from '../../components/postForm.ts';
import { consentConsolePage } from './consoleShell.ts';
import { consentWords } from './words.ts';

/** A communication of one company: the preference center's item. */
export type SubjectItem = {
  subjectId: string;
  purposeId: string;
  channel: string;
  label: string;
  basis: string;
  on: boolean;
  /** Why customer service may not record consent here (the register's sentence); none when it may. */
  refusal?: string;
};

export type SubjectCompany = {
  orgId: string;
  name: string;
  /** The customer's subject id at this company. */
  subjectId: string;
  /** Art. 18 restriction: store only. */
  restricted: boolean;
  /** May the agent record a change here. */
  mayWrite: boolean;
  items: SubjectItem[];
  events: ConsentEvent[];
};

export type ConsentSubjectData = {
  subjectId: string;
  identities: Identity[];
  companies: SubjectCompany[];
  purposeName: (purposeId: string) => string;
  /** Why the last change was refused, above the page. */
  message?: Html;
};

/** Shown to the agent who typed it: enough to confirm, not the whole value. */
export const masked = (kind: string, value: string) => {
  if (kind === 'email') {
    const [local = '', domain = ''] = value.split('@');
    return `${local.slice(0, 1)}${'•'.repeat(Math.max(1, local.length - 1))}@${domain}`;
  }
  return `${'•'.repeat(Math.max(0, value.length - 3))}${value.slice(-3)}`;
};

const eventsUrl = (subjectId: string) => `/console/consent/subjects/${subjectId}/events`;

/** The event that turns an item the other way: consent granted or withdrawn, an interest objected to or not. */
const nextKind = (i: SubjectItem): EventKind =>
  i.basis === 'consent' ? (i.on ? 'withdraw' : 'grant') : i.on ? 'object' : 'lift-objection';

/** The field for the exact words the customer agreed to: labelled, one per form (ids unique per row). */
const wordingInput = (i: SubjectItem) => {
  const id = `wording-${i.subjectId.slice(0, 8)}-${i.purposeId}-${i.channel}`;
  const w = consentWords();
  return html`<label for="${id}">${w.wordingLabel}</label><input id="${id}" name="wording" required
placeholder="${w.wordingExample}">`;
};

/** `said`: the page's message above already says why (the row then only points to it). */
function changeForm(i: SubjectItem, said = false): Html {
  const next = nextKind(i);
  const w = consentWords();
  if (next === 'grant' && i.refusal) return html`<p class="refusal">${said ? w.seeAbove : i.refusal}</p>`;
  const positive = next === 'grant' || next === 'lift-objection';
  return postForm({
    action: eventsUrl(i.subjectId),
    hidden: { purpose: i.purposeId, channel: i.channel, kind: next },
    fields: html`${next === 'grant' ? wordingInput(i) : ''}
<button type="submit" class="${positive ? '' : 'secondary'}">${w.button[next]}</button>`,
  });
}

function objectToAll(c: SubjectCompany): Html {
  return postForm({
    action: eventsUrl(c.subjectId),
    hidden: { purpose: DIRECT_MARKETING, channel: EVERY_CHANNEL, kind: 'object' },
    fields: html`<button type="submit" class="danger">
${consentWords().stopAll}
</button>`,
  });
}

function settingsTable(c: SubjectCompany, said: boolean): Html {
  const w = consentWords();
  const head = [...w.settingsHead];
  if (c.mayWrite) head.push(w.changeHead);
  const rows = c.items.map((i) => {
    const cells: Cell[] = [
      i.label,
      pill(w.basis[i.basis] ?? i.basis, i.basis),
      { class: i.on ? 'on' : 'off', content: i.on ? w.maySend : w.mayNotSend },
    ];
    if (c.mayWrite) cells.push(changeForm(i, said));
    return tableRow(cells);
  });
  return dataTable({ head, rows });
}

function historyTable(events: ConsentEvent[], purposeName: (id: string) => string): Html {
  const w = consentWords();
  if (events.length === 0) return html`<p class="muted">${w.noEvents}</p>`;
  const head = w.historyHead;
  const rows = [...events]
    .reverse()
    .map((e) =>
      tableRow([
        { class: 'nowrap', content: e.at.slice(0, 16).replace('T', ' ') },
        { class: `kind-${e.kind}`, content: w.kind[e.kind] },
        `${purposeName(e.purposeId)} · ${e.channel}`,
        e.wording ?? '',
        e.noticeVersion ? `v${e.noticeVersion}` : '',
        e.source,
        e.actor,
      ]),
    );
  return dataTable({ head, rows });
}

function companySection(c: SubjectCompany, purposeName: (id: string) => string, said: boolean): Html {
  const w = consentWords();
  return card(
    html`<h2>${c.name}</h2>
${c.restricted ? html`<p>${pill(w.restricted, 'warn')}</p>` : ''}
${c.mayWrite ? objectToAll(c) : ''}
${settingsTable(c, said)}
<h3>${w.history}</h3>
${historyTable(c.events, purposeName)}`,
    { tag: 'section' },
  );
}

export function consentSubjectPage(data: ConsentSubjectData): Html {
  const w = consentWords();
  const identities = data.identities.map((i) => pill(`${i.kind}: ${masked(i.kind, i.value)}`));
  return consentConsolePage(html`${data.message ?? ''}
<p><a href="/console/consent">${w.findAnother}</a></p>
<h1>${w.customer(data.subjectId.slice(0, 8))}</h1>
<p class="muted">${w.identities} ${identities}</p>
${data.companies.map((c) => companySection(c, data.purposeName, data.message !== undefined))}`);
}

/**
 * A change the register refused: one message. A field's issue says it fully (with its hint); the error's
 * own message and hint repeat it, so they are shown only when there is no issue.
 */
export function changeRefused(err: {
  message: string;
  hint?: string;
  issues: { message: string; hint?: string }[];
}): Html {
  const lines = err.issues.length > 0 ? err.issues : [{ message: err.message, hint: err.hint }];
  return errorBox(
    html`${lines.map((i, n) => html`${n > 0 ? html`<br>` : ''}${i.message}${i.hint ? ` ${i.hint}` : ''}`)}`,
  );
}
