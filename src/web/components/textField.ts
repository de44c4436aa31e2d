import { type Html, html } from '../../core/html.ts';

/** A labelled text input in a form grid cell. */
export function textField(
  name: string,
  label: string,
  opts: { value?: string; placeholder?: string; type?: string; required?: boolean } = {},
): Html {
  return html`<div><label for="${name}">${label}</label><input id="${name}" name="${name}"${opts.type ? html` type="${opts.type}"` : ''}${opts.value !== undefined ? html` value="${opts.value}"` : ''}${opts.placeholder !== undefined ? html` placeholder="${opts.placeholder}"` : ''}${opts.required ? html` required` : ''}></div>`;
}
