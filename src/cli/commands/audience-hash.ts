/**
 * `ombud audience hash`: one identifier per line on stdin → one lowercase hex SHA-256 per line, by a
 * network's published rule. A line that cannot be normalised is named by its number only (never its value).
 */
import { type HashField, hashIdentifier, hashRule } from '../../core/audience/hashing.ts';
import type { COMMANDS } from '../commands.ts';
import { type Run, UsageError } from '../spec.ts';

export const run: Run<(typeof COMMANDS)['audience hash']> = async ({ values }, io) => {
  const rule = hashRule(values.rule)!;
  const country = values['default-country'];
  if (country !== undefined && !/^[A-Za-z]{2}$/.test(country))
    throw new UsageError('--default-country: use an ISO 3166-1 alpha-2 code such as SE.');
  const lines = (await io.readStdin()).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const out: string[] = [];
  let bad = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const h = hashIdentifier(rule, values.field as HashField, line, country?.toUpperCase());
    if (h === undefined) {
      bad++;
      io.err(
        `line ${i + 1}: not a ${values.field === 'email' ? 'valid e-mail address' : 'phone number with a country (add + and the country code, or --default-country)'} for ${rule.id}`,
      );
    } else out.push(h);
  });
  if (out.length > 0) io.out(out.join('\n'));
  return bad > 0 ? 1 : 0;
};
