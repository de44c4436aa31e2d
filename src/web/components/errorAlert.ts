/** An error shown above a form (`div.error`, announced to screen readers). */
import { type Html, html } from '../../core/html.ts';
import type { OmbudError } from '../../core/errors.ts';

type Content = Parameters<typeof html>[1];

export const errorAlert = (content: Content): Html => html`<div class="error" role="alert">${content}</div>`;

/** A typed error as a form's alert: its message, each issue with its field, and its hint. */
export function problemAlert(err: OmbudError): Html {
  return errorAlert(
    html`<strong>${err.message}</strong>${err.issues.map(
      (i) => html`<br>${i.path.join('.')}: ${i.message}${i.hint ? ` — ${i.hint}` : ''}`,
    )}${err.hint ? html`<br>${err.hint}` : ''}`,
  );
}
