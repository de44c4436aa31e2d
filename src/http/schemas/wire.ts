/**
 * How values travel in the API's answers, shared by the response schemas of every capability
 * (`src/http/schemas/<capability>.ts`). A route's `schema.response` is enforced by zod when the answer is
 * serialised (src/http/server.ts sets the serializer compiler): an answer that does not match is a 500, so
 * the schemas are strict objects and a field the contract does not name fails loudly in the tests.
 */
import { z } from 'zod';

/**
 * A point in time as `Date.prototype.toISOString()` writes it (UTC, milliseconds, `Z`). A handler that
 * holds a `Date` passes `date.toISOString()`: the same text JSON.stringify would have written.
 */
export const timestamp = z.iso
  .datetime()
  .describe('A point in time: ISO 8601 in UTC, e.g. 2026-11-25T09:30:00.000Z.');

/** A calendar day. */
export const day = z.iso.date().describe('A day: YYYY-MM-DD.');

/** An organization (controller) id of the register. */
export const orgId = z
  .string()
  .describe('An organization (controller) id of the register, e.g. nestit-sverige.');

/** A 204 answer: no body (OpenAPI lists no content for it). */
export const noContent = z.undefined().describe('No content.');

/**
 * An answer that is not JSON (CSV, JavaScript, plain text): documented with its media type, never passed
 * through the JSON serializer (Fastify sends a string with a non-JSON content type as it is).
 */
export function textAnswer(description: string, mediaType: string) {
  return { description, content: { [mediaType]: { schema: z.string() } } };
}

/**
 * One status answered as JSON by default and as CSV on `?format=csv`: the JSON body is checked by its
 * schema, the CSV text is sent as it is.
 */
export function jsonOrCsv<T extends z.ZodType>(description: string, json: T) {
  return {
    description,
    content: { 'application/json': { schema: json }, 'text/csv': { schema: z.string() } },
  };
}
