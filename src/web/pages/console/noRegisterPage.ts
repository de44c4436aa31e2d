import { html, type Html } from '../../../core/html.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { consoleWords } from './words.ts';

/** A register page asked for before any register is applied. */
export function noRegisterPage(title: string, active: string): Html {
  const w = consoleWords();
  return consoleShell(
    title,
    active,
    html`<div class="card"><h1>${w.noRegister}</h1><p>${w.run} <code>ombud register apply DIR</code> ${w.toLoad}</p></div>`,
  );
}
