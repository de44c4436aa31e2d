/**
 * The console's words in English, Swedish and Norwegian, the same way the privacy center keeps its own
 * (src/core/privacy-center/strings.ts): one typed record per area, English written first and Swedish and
 * Norwegian checked against its keys by the compiler. A page asks its area's catalogue for the words of
 * the language the page is rendered in: the person's own choice (Account), else the browser's
 * (Accept-Language), else English (src/web/pageContext.ts carries it from the HTTP edge).
 *
 * Times stay in UTC ISO form ("2026-03-01 14:05") in every language: staff of three countries compare them.
 */
import type { Language } from '../../core/register/schema.ts';
import { pageContext } from '../pageContext.ts';

/** The language of the console page being rendered ('en' outside a request). */
export function consoleLanguage(): Language {
  return pageContext()?.language() ?? 'en';
}

/**
 * An area's words, under the area's name (unique). `en` fixes the keys and their types (strings, or functions for words with values);
 * `sv` and `nb` must give every key. The returned function gives the words of the page's language, or of
 * the language asked for.
 */
export function catalogue<T>(area: string, en: T, others: { sv: T; nb: T }): (lang?: Language) => T {
  const all: Record<Language, T> = { en, ...others };
  CATALOGUES.set(area, all as Record<Language, unknown>);
  return (lang) => all[lang ?? consoleLanguage()];
}

/** Every area's catalogue by its name, for the completeness test (test/web/console-catalogues.test.ts). */
export const CATALOGUES = new Map<string, Record<Language, unknown>>();
