import { type Html, html } from '../../core/html.ts';
import type { Content } from './content.ts';

/**
 * A message that something did not work or was not found. `alert` is read out at once by a screen reader;
 * `status` (an answer, not an error of the person's input) politely.
 */
export function errorBox(message: Content, role: 'alert' | 'status' = 'alert'): Html {
  return html`<div class="error" role="${role}">${message}</div>`;
}
