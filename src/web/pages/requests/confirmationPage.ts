/** The privacy center's "your request is confirmed" page: the reference, and per company the answer date. */
import { type Html, html } from '../../../core/html.ts';
import { dateInWords } from '../../../core/locale.ts';
import { CENTER_STRINGS } from '../../../core/privacy-center/strings.ts';
import { REQUEST_PAGE_STRINGS } from '../../../core/privacy-center/strings.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { type Language, t } from '../../../core/register/schema.ts';
import { typeName } from '../../../core/requests/mail-templates.ts';
import type { RequestRow } from '../../../services/requests/store.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { tableRow } from '../../components/tableRow.ts';
import { centerPage } from './shell.ts';

export type ConfirmationData = {
  lang: Language;
  reference: string;
  /** The submission's requests; a group request that was split is not shown (its parts are). */
  requests: readonly RequestRow[];
  index?: RegisterIndex;
};

export function confirmationPage(d: ConfirmationData): Html {
  const s = REQUEST_PAGE_STRINGS[d.lang];
  const ix = d.index;
  const row = (q: RequestRow) => {
    const a = ix?.authorityOf(q.org_id);
    const company = q.scope.group
      ? s.allOf(ix?.register.group.name ?? '')
      : (ix?.organization(q.org_id)?.legalName ?? q.org_id);
    return tableRow([
      company,
      typeName(q.type, d.lang),
      q.state === 'completed' ? s.answered : dateInWords(q.due_date, d.lang),
      a ? html`<a href="${a.web}">${t(a.name, d.lang)}</a>` : '',
    ]);
  };
  const table = dataTable({
    head: [s.headCompany, s.headRequest, s.headAnswerBy, s.headComplain],
    rows: d.requests.filter((q) => q.state !== 'split').map(row),
  });
  return centerPage(
    s.confirmedTitle,
    d.lang,
    html`<h1>${s.confirmedTitle}</h1>
${card(html`<p>${s.yourReference} <strong>${d.reference}</strong>. ${s.confirmationSent}</p>
${table}`)}
${card(html`<h2>${s.nextTitle}</h2><p>${s.nextText}</p>
<p class="actions"><a class="button" href="/privacy?lang=${d.lang}">${CENTER_STRINGS[d.lang].back}</a> <a class="button secondary" href="/privacy/requests/new?lang=${d.lang}">${s.another}</a></p>`)}`,
  );
}
