/**
 * Rectification (Art. 16): which data categories a correction may name, and the corrected values as the
 * systems store them. Pure: no I/O; errors name the category, never the value.
 *
 * A correction is keyed by data category and applies to the fields of exactly that category: a corrected
 * `user.name.first` changes the first-name fields and nothing else, a corrected `user.name` (a full name,
 * e.g. a delivery name) changes only the fields that hold a full name.
 */
import { validationError } from '../errors.ts';
import { normaliseEmail, normalisePhone } from '../consent/identity.ts';
import type { Dataset, Field } from './dataset.ts';

/**
 * A field the subject's correction may change: personal data that is not the row's key. A field that
 * joins to another collection by value (an e-mail address two systems share) is corrected in both.
 */
const correctable = (f: Field) =>
  !f.fides_meta?.primary_key && f.data_categories.some((k) => k.startsWith('user.'));

/** The data categories the datasets hold in correctable fields, sorted: the keys a correction may use. */
export function correctableCategories(datasets: readonly Dataset[]): string[] {
  const keys = new Set<string>();
  for (const d of datasets)
    for (const c of d.collections)
      for (const f of c.fields)
        if (correctable(f)) for (const k of f.data_categories) if (k.startsWith('user.')) keys.add(k);
  return [...keys].sort();
}

const isPhone = (category: string) => category === 'user.contact.phone_number';
const isEmail = (category: string) => category === 'user.contact.email';

/**
 * The corrections as the systems store them, or a validation error (422) naming every key that no system
 * holds (with the keys it may use) and every value that is not what its category needs. E-mail addresses
 * are stored trimmed and in lower case; phone numbers in E.164, a number without a country prefix read in
 * the company's country (`defaultCountry`).
 */
export function checkCorrections(
  corrections: Readonly<Record<string, string>>,
  allowed: readonly string[],
  defaultCountry?: string,
): Record<string, string> {
  const keys = Object.keys(corrections);
  if (keys.length === 0)
    throw validationError('corrections-required', 'A rectification needs the corrected values.', [
      {
        path: ['corrections'],
        message: 'required',
        hint: 'Give the corrected values by data category, e.g. { "user.contact.address.city": "Malmö" }.',
      },
    ]);
  const unknown = keys.filter((k) => !allowed.includes(k));
  if (unknown.length)
    throw validationError(
      'correction-category-unknown',
      `No system of the group holds ${unknown.map((k) => `'${k}'`).join(', ')}, so it cannot be corrected.`,
      unknown.map((k) => ({
        path: ['corrections', k],
        message: 'not a data category held in the systems',
        hint: `Use one of: ${allowed.join(', ')}.`,
      })),
    );
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(corrections)) {
    const field = `corrections.${k}`;
    if (isEmail(k)) out[k] = normaliseEmail(raw, field);
    else if (isPhone(k)) out[k] = normalisePhone(raw, defaultCountry, field);
    else {
      const v = raw.trim();
      if (!v)
        throw validationError('correction-empty', `The corrected value for '${k}' is empty.`, [
          {
            path: ['corrections', k],
            message: 'empty',
            hint: 'Give the corrected value, or leave the category out.',
          },
        ]);
      out[k] = v;
    }
  }
  return out;
}

/** The value a field gets from checked corrections: that of its own category, or none. */
export function correctionFor(
  field: Field,
  corrections: Readonly<Record<string, string>>,
): string | undefined {
  if (!correctable(field)) return undefined;
  const category = field.data_categories.find((k) => k in corrections);
  return category === undefined ? undefined : corrections[category];
}
