/**
 * The serializer of every JSON answer: the route's response schema checks the answer (a strict object
 * names every field, so a field the contract does not name is a 500 in the tests, never a leak), then
 * JSON.stringify writes it. fastify-type-provider-zod's own compiler checks with zod's `safeEncode`, which
 * runs the schema backwards (for codecs) without zod's compiled fast path: about 4 µs an answer against 0.5 µs
 * for `safeParse`. The response schemas hold no codecs or transforms (src/http/schemas/wire.ts: timestamps
 * travel as ISO strings the handler writes), so checking forwards gives the same answer, on every lookup.
 */
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { safeParse, type ZodType } from 'zod';

type SerializerCompiler = (route: {
  schema: unknown;
  method: string;
  url: string;
}) => (data: unknown) => string;

function zodSchemaOf(schema: unknown): ZodType {
  if (schema && typeof schema === 'object' && '_zod' in schema) return schema as ZodType;
  const inner = (schema as { properties?: unknown } | null)?.properties;
  if (inner && typeof inner === 'object' && '_zod' in inner) return inner as ZodType;
  throw new Error(`A response schema that is not a zod schema: ${JSON.stringify(schema)}`);
}

export const serializerCompiler: SerializerCompiler = ({ schema, method, url }) => {
  const zod = zodSchemaOf(schema);
  return (data) => {
    const result = safeParse(zod, data);
    if (result.error) throw new ResponseSerializationError(method, url, { cause: result.error });
    return JSON.stringify(result.data);
  };
};
