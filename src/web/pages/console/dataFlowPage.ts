/** The data-flow diagram of the whole group or of one company, with a link per company. */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataFlowSvg } from '../../diagram.ts';
import { consoleWords } from './words.ts';

export function dataFlowPage(ix: RegisterIndex, orgId: string | undefined): Html {
  const w = consoleWords();
  const body = html`<h1>${w.dataFlow}</h1>
<p><a href="/console/data-flow"${orgId ? '' : html` aria-current="page"`}>${w.wholeGroup}</a> ${ix.register.organizations.map(
    (o) => html`· <a href="/console/data-flow?org=${o.id}">${o.legalName}</a> `,
  )}</p><div class="card diagram">${dataFlowSvg(ix, orgId)}</div>`;
  return consoleShell(w.dataFlow, 'diagram', body);
}
