/**
 * `npm run schema`: the published JSON Schemas in schema/ — the register's (from `ombud register schema`)
 * and the access extract's (src/core/fulfilment/extractSchema.ts, also served at /schema/extract.schema.json).
 */
import { writeFileSync } from 'node:fs';
import { extractJsonSchema } from '../src/core/fulfilment/extractSchema.ts';
import { registerJsonSchema } from '../src/core/register/schema.ts';

writeFileSync('schema/register.schema.json', `${JSON.stringify(registerJsonSchema(), null, 2)}\n`);
writeFileSync('schema/extract.schema.json', `${JSON.stringify(extractJsonSchema(), null, 2)}\n`);
