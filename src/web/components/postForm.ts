/**
 * A form that posts: hidden fields, its fields, one submit button (`danger` for an irreversible act). Without
 * `submit` the fields bring their own button(s).
 */
import { type Html, html } from '../../core/html.ts';

type Content = Parameters<typeof html>[1];

export function postForm(opts: {
  action: string;
  hidden?: Record<string, string>;
  fields?: Content;
  submit?: string;
  danger?: boolean;
}): Html {
  const button =
    opts.submit === undefined
      ? ''
      : html`<button type="submit"${opts.danger ? html` class="danger"` : ''}>${opts.submit}</button>`;
  return html`<form method="post" action="${opts.action}">${hiddenFields(opts.hidden ?? {})}${opts.fields ?? ''}${button}</form>`;
}

/** Hidden form fields, one input per name. */
export function hiddenFields(fields: Record<string, string>): Html[] {
  return Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
}
