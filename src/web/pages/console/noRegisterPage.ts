import { html, type Html } from '../../../core/html.ts';
import { consoleShell } from '../../components/consoleShell.ts';

/** A register page asked for before any register is applied. */
export function noRegisterPage(title: string, active: string): Html {
  return consoleShell(
    title,
    active,
    html`<div class="card"><h1>No register yet</h1><p>Run <code>ombud register apply DIR</code> to load one.</p></div>`,
  );
}
