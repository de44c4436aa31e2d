import { type Html, html } from '../../core/html.ts';
import type { Content } from './content.ts';

/** Hidden form fields, one input per name. */
export function hiddenFields(fields: Record<string, string>): Html[] {
  return Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
}

/** A form that POSTs its hidden fields and what else it holds (inputs, the button) to `action`. */
export function postForm(opts: { action: string; fields?: Record<string, string>; body: Content }): Html {
  return html`<form method="post" action="${opts.action}">
${hiddenFields(opts.fields ?? {})}
${opts.body}
</form>`;
}
