import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { registerJsonSchema } from '../../src/core/register/schema.ts';

test('the published JSON Schema (schema/register.schema.json) is the one the validator uses', () => {
  const published = JSON.parse(readFileSync('schema/register.schema.json', 'utf8'));
  expect(published).toEqual(JSON.parse(JSON.stringify(registerJsonSchema())));
  expect(published.properties.purposes.items.required).toEqual(
    expect.arrayContaining(['id', 'controllers', 'data', 'collection']),
  );
});
