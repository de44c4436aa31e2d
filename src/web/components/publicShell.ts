import { type Html, raw } from '../../core/html.ts';
import { publicPage } from '../layout.ts';

/** A whole public page (no console navigation) as Html. */
export function publicShell(title: string, lang: string, body: Html | Html[]): Html {
  return raw(publicPage({ title, lang, body }));
}
