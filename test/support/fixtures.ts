import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SourceFile } from '../../src/core/register/parse.ts';

const MIN = fileURLToPath(new URL('../fixtures/register-min/', import.meta.url));

/** The minimal valid register as source files, optionally with edits: { 'purposes.yaml': (text) => text }. */
export function minimalRegister(edits: Record<string, (text: string) => string> = {}): SourceFile[] {
  return readdirSync(MIN)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const text = readFileSync(MIN + f, 'utf8');
      return { path: f, text: edits[f] ? edits[f](text) : text };
    });
}

/** Line (1-based) of the first occurrence of a snippet in a text. */
export function lineOf(text: string, snippet: string): number {
  const i = text.indexOf(snippet);
  if (i < 0) throw new Error(`snippet not found: ${snippet}`);
  return text.slice(0, i).split('\n').length;
}
