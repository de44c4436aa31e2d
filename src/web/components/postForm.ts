/** A form that posts: hidden fields, its fields, one submit button (`danger` for an irreversible act). */
import { type Html, html } from '../../core/html.ts';

type Content = Parameters<typeof html>[1];

export function postForm(opts: {
  action: string;
  hidden?: Record<string, string>;
  fields?: Content;
  submit: string;
  danger?: boolean;
}): Html {
  const hidden = Object.entries(opts.hidden ?? {}).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  );
  return html`<form method="post" action="${opts.action}">${hidden}${opts.fields ?? ''}<button type="submit"${
    opts.danger ? html` class="danger"` : ''
  }>${opts.submit}</button></form>`;
}
