/** The console's mail pages: the outbox (/console/outbox) and the demo's caught mail (/console/inbox). */
import { type Html, html } from '../../../core/html.ts';
import type { listCaught } from '../../../services/mail/catcher.ts';
import type { listOutbox } from '../../../services/mail/outbox.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { tableRow } from '../../components/tableRow.ts';
import { minuteUtc } from '../../components/timestamp.ts';
import { deskPage } from './shell.ts';

type OutboxRow = Awaited<ReturnType<typeof listOutbox>>[number];
type CaughtMail = Awaited<ReturnType<typeof listCaught>>[number];

export function outboxPage(d: { rows: readonly OutboxRow[]; smtp: boolean }): Html {
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
  const table = dataTable({ head: ['Created', 'To', 'Template', 'Lang', 'Subject', 'Status'], rows });
  return deskPage(
    'Outbox',
    html`<h1>Outbox</h1>
<p class="muted">${d.smtp ? 'Mail is sent over SMTP.' : 'SMTP_URL is not set: mail waits here.'}
<a href="/console/inbox">Inbox (demo)</a> shows what the local SMTP catcher received.</p>
${card(table, { class: 'table-scroll' })}`,
  );
}

function caughtMail(m: CaughtMail): Html {
  return card(
    html`<h2>${m.subject}</h2>
<p class="muted">To ${m.rcpt_masked} · <code title="SHA-256 of the address">${(m.rcpt_hashes[0] ?? '').slice(0, 12)}</code>
· ${minuteUtc(m.received_at)} UTC</p>
<pre class="mail-body">${m.body}</pre>`,
    { tag: 'article', class: 'mail', data: { mail: m.id } },
  );
}

export function inboxPage(d: { rows: readonly CaughtMail[]; smtp: boolean }): Html {
  const none = card(
    html`<p>No mail has arrived yet. ${d.smtp ? '' : 'SMTP_URL is not set and no catcher is running: mail waits in the outbox.'}</p>`,
  );
  return deskPage(
    'Inbox (demo)',
    html`<h1>Inbox (demo)</h1>
<p class="muted">What the demo's local SMTP catcher received: the mail customers would get.
Recipients are shown masked with a short hash. <a href="/console/outbox">Outbox</a></p>
${d.rows.length === 0 ? none : d.rows.map(caughtMail)}`,
  );
}
