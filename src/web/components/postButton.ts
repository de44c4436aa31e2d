import { type Html, html } from '../../core/html.ts';

/** A one-button form that posts to `action` (with hidden fields), shown inline. */
export function postButton(
  action: string,
  label: string,
  opts: { secondary?: boolean; hidden?: Record<string, string> } = {},
): Html {
  return html`<form method="post" action="${action}" class="inline">${Object.entries(opts.hidden ?? {}).map(([n, v]) => html`<input type="hidden" name="${n}" value="${v}">`)}<button${opts.secondary ? html` class="secondary"` : ''} type="submit">${label}</button></form>`;
}
