/** The console's mail pages: the outbox (/console/outbox) and the demo's caught mail (/console/inbox). */
import { type Html, html } from '../../../core/html.ts';
import type { listCaught } from '../../../services/mail/catcher.ts';
import type { listOutbox } from '../../../services/mail/outbox.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { tableRow } from '../../components/tableRow.ts';
import { minuteUtc } from '../../components/timestamp.ts';
import { deskPage } from './shell.ts';
import { requestWords } from './words.ts';

type OutboxRow = Awaited<ReturnType<typeof listOutbox>>[number];
type CaughtMail = Awaited<ReturnType<typeof listCaught>>[number];

export function outboxPage(d: { rows: readonly OutboxRow[]; smtp: boolean }): Html {
  const w = requestWords();
  const rows = d.rows.map((m) =>
    tableRow([
      minuteUtc(m.created_at),
      m.to_address,
      m.template,
      m.lang,
      m.request_id ? html`<a href="/console/requests/${m.request_id}">${m.subject}</a>` : m.subject,
      `${m.status}${m.last_error ? ` (${m.last_error})` : ''}`,
    ]),
  );
  const table = dataTable({ head: [w.created, w.to, w.template, w.lang, w.subject, w.status], rows });
  return deskPage(
    w.outbox,
    html`<h1>${w.outbox}</h1>
<p class="muted">${d.smtp ? w.smtpSends : w.smtpUnset}
<a href="/console/inbox">${w.inboxDemo}</a> ${w.inboxShows}</p>
${card(table, { class: 'table-scroll' })}`,
  );
}

function caughtMail(m: CaughtMail): Html {
  const w = requestWords();
  return card(
    html`<h2>${m.subject}</h2>
<p class="muted">${w.toMasked(m.rcpt_masked)} · <code title="${w.addressHash}">${(m.rcpt_hashes[0] ?? '').slice(0, 12)}</code>
· ${minuteUtc(m.received_at)} UTC</p>
<pre class="mail-body">${m.body}</pre>`,
    { tag: 'article', class: 'mail', data: { mail: m.id } },
  );
}

export function inboxPage(d: { rows: readonly CaughtMail[]; smtp: boolean }): Html {
  const w = requestWords();
  const none = card(html`<p>${w.noMail} ${d.smtp ? '' : w.noCatcher}</p>`);
  return deskPage(
    w.inboxDemo,
    html`<h1>${w.inboxDemo}</h1>
<p class="muted">${w.inboxIntro} <a href="/console/outbox">${w.outbox}</a></p>
${d.rows.length === 0 ? none : d.rows.map(caughtMail)}`,
  );
}
