/** The consent desk's first page: find a customer by one identity (sent in the body, never in a link). */
import { type Html, html } from '../../../core/html.ts';
import { card } from '../../components/card.ts';
import { errorBox } from '../../components/errorBox.ts';
import { consentConsolePage } from './consoleShell.ts';
import { DESK_IDENTITY_KINDS, type DeskIdentityKind, IDENTITY_KIND_LABEL } from './identityKinds.ts';

export type ConsentDeskData = {
  /** The companies the agent may read consent at. */
  companies: { id: string; legalName: string }[];
  /** An answer to the last look-up, above the form. */
  message?: Html;
};

function findForm(companies: ConsentDeskData['companies']): Html {
  return html`<form class="row" method="post" action="/console/consent/find">
<label>Company<br><select name="company">
<option value="all">All companies I can see</option>
${companies.map((o) => html`<option value="${o.id}">${o.legalName}</option>`)}
</select></label>
<label>Identity<br><select name="kind">
${DESK_IDENTITY_KINDS.map((k) => html`<option value="${k}">${IDENTITY_KIND_LABEL[k]}</option>`)}
</select></label>
<label>Value<br><input name="value" required autocomplete="off" size="32"></label>
<button type="submit">Find</button>
</form>`;
}

export function consentDeskPage(data: ConsentDeskData): Html {
  return consentConsolePage(html`<h1>Consent and communication settings</h1>
${data.message ?? ''}
${card(html`<p class="muted">Find a customer by one identity. What you type is sent in the request body,
never put in a link, and the look-up is recorded in the audit log.</p>
${findForm(data.companies)}`)}`);
}

/** The look-up was refused (an identity that cannot be read, such as a malformed phone number). */
export const lookupRefused = (err: { message: string; hint?: string }): Html =>
  errorBox(html`${err.message}${err.hint ? html` ${err.hint}` : ''}`);

/** Nobody of these companies has that identity in the consent register. */
export const noSuchCustomer = (companies: string, kind: DeskIdentityKind): Html =>
  errorBox(
    html`No customer of ${companies} has that ${IDENTITY_KIND_LABEL[kind].toLowerCase()}
in the consent register.
Nothing has been recorded for them yet, so nothing may be sent on consent.`,
    'status',
  );
