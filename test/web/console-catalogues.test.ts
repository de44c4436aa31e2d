/**
 * The console's words (src/web/i18n/catalogue.ts): every area's catalogue gives each English key in
 * Swedish and Norwegian, none of them empty, and a Swedish or Norwegian word the same as the English one
 * only where the hand-written list below says so (names, codes and loan words; anything else is a word
 * left untranslated). The areas are listed by hand: a page folder that loses its catalogue fails here.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { CATALOGUES } from '../../src/web/i18n/catalogue.ts';

/** English words that are the same in Swedish and Norwegian, by hand. */
const SAME_IN_ALL = new Set<string>([
  'Ombud',
  'API',
  'JSON',
  'CSV',
  'SMS',
  'ID',
  'OK',
  'Status',
  'Register',
  'System',
  'Version',
  'Person',
  // Norwegian for both.
  'Type',
  'Database',
  // OpenID Connect's own word, as the identity provider's settings call it.
  'scopes',
]);

const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });

beforeAll(async () => {
  // Every page module, so every area's catalogue is registered.
  for (const f of [
    ...tsFiles('src/web/pages'),
    ...tsFiles('src/web/components'),
    'src/web/layout.ts',
    'src/http/problemPage.ts',
  ])
    await import(pathToFileURL(join(process.cwd(), f)).href);
}, 120_000);

/** The leaves of a catalogue, by dotted key. */
function leaves(o: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (o && typeof o === 'object' && !Array.isArray(o))
    for (const [k, v] of Object.entries(o))
      for (const [kk, vv] of leaves(v, `${prefix}${prefix ? '.' : ''}${k}`)) out.set(kk, vv);
  else out.set(prefix, o);
  return out;
}

/** The console's areas, one per page folder (and the shell and its problem pages), by hand. */
const AREAS = [
  'analytics',
  'audiences',
  'audit',
  'breaches',
  'console',
  'console-problems',
  'consent',
  'cookie-consents',
  'fulfilment',
  'holds',
  'people',
  'propagation',
  'requests',
  'retention',
  'shell',
];

describe('the console catalogues', () => {
  test('every console area has its catalogue', () => {
    expect([...CATALOGUES.keys()].sort()).toEqual([...AREAS].sort());
  });

  test('every key in Swedish and Norwegian, none empty, none left in English', () => {
    expect(CATALOGUES.size).toBeGreaterThan(0);
    const untranslated: string[] = [];
    for (const [area, all] of CATALOGUES) {
      const en = leaves(all.en);
      for (const lang of ['sv', 'nb'] as const) {
        const other = leaves(all[lang]);
        expect([...other.keys()].sort(), `${area} ${lang}`).toEqual([...en.keys()].sort());
        for (const [key, value] of en) {
          const v = other.get(key);
          if (typeof value === 'function') {
            expect(typeof v, `${area}.${key} ${lang}`).toBe('function');
            continue;
          }
          if (typeof value !== 'string') continue;
          expect(typeof v === 'string' && v.trim().length > 0, `${area}.${key} ${lang} is empty`).toBe(true);
          if (
            v === value &&
            value.trim() !== '' &&
            !SAME_IN_ALL.has(value.replace(/[:.]$/, '')) &&
            /[a-z]{3}/.test(value)
          )
            untranslated.push(`${area}.${key} (${lang}): ${value}`);
        }
      }
    }
    expect(untranslated).toEqual([]);
  });
});
