/**
 * Drafts a dataset annotation from a live schema: one collection per table, one field per column, the
 * primary keys, foreign keys as references, and a guess at identities and data categories from column
 * names. A person reviews the draft: the guesses are marked in the descriptions. Ombud's own tables
 * (core/fulfilment/own-tables.ts) are left out.
 */
import { stringify } from 'yaml';
import type { Dataset, Field } from './dataset.ts';
import type { LiveSchema } from './live-schema.ts';
import { isOwnTable } from './own-tables.ts';

const GUESSES: [RegExp, string, Field['fides_meta']?][] = [
  [/^e_?mail$|_email$/i, 'user.contact.email', { identity: 'email' }],
  [/phone|mobile/i, 'user.contact.phone_number', { identity: 'phone_number' }],
  [/^customer_(number|no)$/i, 'user.unique_id', { identity: 'customer_number' }],
  [/first_name|last_name|^name$|_name$/i, 'user.name'],
  [/street|address/i, 'user.contact.address.street'],
  [/postal|zip/i, 'user.contact.address.postal_code'],
  [/city/i, 'user.contact.address.city'],
  [/password/i, 'user.authorization.credentials'],
  [/^body$|message|comment/i, 'user.content'],
];

export function draftDataset(key: string, system: string, live: LiveSchema): Dataset {
  return {
    fides_key: key,
    name: key,
    description: 'Drafted by ombud dataset generate: review the categories and identities.',
    ombud: { system },
    // Ombud's own tables in the database (markers, runs, migrations) are not the group's data.
    collections: live.tables
      .filter((t) => !isOwnTable(t))
      .map((table) => ({
        name: table,
        ombud: { erase: 'delete' as const },
        fields: live.columns
          .filter((c) => c.table === table)
          .map((c): Field => {
            const pk = live.primaryKeys.some((p) => p.table === table && p.column === c.column);
            const refs = live.foreignKeys
              .filter((f) => f.table === table && f.column === c.column)
              .map((f) => ({
                dataset: key,
                field: `${f.refTable}.${f.refColumn}`,
                direction: 'from' as const,
              }));
            const guess = GUESSES.find(([re]) => re.test(c.column));
            const meta: NonNullable<Field['fides_meta']> = { data_type: c.dataType };
            if (pk) meta.primary_key = true;
            if (refs.length) meta.references = refs;
            if (guess?.[2]?.identity && !pk) meta.identity = guess[2].identity;
            return {
              name: c.column,
              data_categories: pk ? ['system.operations'] : guess ? [guess[1]] : ['system.operations'],
              fides_meta: meta,
            };
          }),
      })),
  };
}

export const datasetToYaml = (datasets: Dataset[]) => stringify({ dataset: datasets }, { lineWidth: 120 });
