import { type Html, raw } from '../../core/html.ts';
import { consolePage } from '../layout.ts';

/** A whole console page (navigation for the signed-in person, `active` section marked) as Html. */
export function consoleShell(title: string, active: string, body: Html | Html[]): Html {
  return raw(consolePage({ title, active, body }));
}
