/**
 * Errors become RFC 9457 problem documents here, once, at the edge. A client's mistake is
 * a 4xx naming the field and the fix; anything else is a 500 with an id and no details.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorKind, OmbudError } from '../core/errors.ts';
import { InvalidInputError } from './input.ts';

const STATUS: Record<ErrorKind, number> = {
  validation: 422,
  'not-found': 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  'rate-limited': 429,
  precondition: 409,
  gone: 410,
};

/**
 * The one shape of every problem document Ombud sends: the OpenAPI document's `Problem` component is made
 * from it (src/http/openapi.ts), and the test suite checks every problem response against it.
 */
export const problemSchema = z
  .strictObject({
    type: z.url().describe('A URI naming the kind of problem, e.g. https://ombud.dev/problems/not-found.'),
    title: z.string().describe('A short summary of the kind of problem, the same for every occurrence.'),
    status: z.number().int().min(400).max(599).describe('The HTTP status code of this response.'),
    detail: z.string().describe('What went wrong this time, said to a person. Never personal data.'),
    instance: z
      .string()
      .optional()
      .describe('This occurrence: urn:uuid:<error id> on a 500, to quote when reporting it.'),
    code: z.string().optional().describe('A stable machine-readable code, e.g. invalid-request, not-found.'),
    errors: z
      .array(
        z.strictObject({
          path: z.string().describe('The offending field, e.g. body.email or params.orgId.'),
          message: z.string(),
          hint: z.string().optional().describe('How to fix it.'),
        }),
      )
      .optional()
      .describe('Each invalid field of the request.'),
    hint: z.string().optional().describe('How to fix the request, said to a person.'),
  })
  .describe('An RFC 9457 problem document (application/problem+json).');
export type Problem = z.infer<typeof problemSchema>;

const TYPE_BASE = 'https://ombud.dev/problems/';

export function problemFor(err: unknown, req: FastifyRequest): Problem {
  if (err instanceof OmbudError) {
    return {
      type: TYPE_BASE + err.code,
      title: err.kind.replace('-', ' '),
      status: STATUS[err.kind],
      detail: err.message,
      code: err.code,
      hint: err.hint,
      errors: err.issues.length
        ? err.issues.map((i) => ({ path: i.path.join('.'), message: i.message, hint: i.hint }))
        : undefined,
    };
  }
  if (err instanceof InvalidInputError) {
    const parts = [...new Set(err.issues.map((i) => String(i.path[0])))].join(' and ');
    return {
      type: `${TYPE_BASE}invalid-request`,
      title: 'invalid request',
      status: 400,
      detail: `The request ${parts} contains text that cannot be stored.`,
      code: 'invalid-request',
      errors: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message, hint: i.hint })),
      hint: 'Remove NUL characters (U+0000) and lone UTF-16 surrogates from the fields listed in errors.',
    };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = (err as { validationContext?: string }).validationContext ?? 'body';
    return {
      type: `${TYPE_BASE}invalid-request`,
      title: 'invalid request',
      status: 400,
      detail: `The request ${context} is not valid.`,
      code: 'invalid-request',
      errors: err.validation.map((v) => ({
        path: [context, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      })),
      hint: 'Correct the fields listed in errors; see /api/openapi.json for the expected form.',
    };
  }
  const fe = err as FastifyError;
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code =
      fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'body-too-large'
        : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported-media-type'
          : fe.statusCode === 429
            ? 'rate-limited'
            : 'bad-request';
    return {
      type: TYPE_BASE + code,
      title: code.replace(/-/g, ' '),
      status: fe.statusCode,
      detail:
        code === 'body-too-large'
          ? 'The request body is too large.'
          : code === 'unsupported-media-type'
            ? 'Send the body as application/json.'
            : code === 'rate-limited'
              ? 'Too many requests; slow down and retry later.'
              : 'The request could not be read. Check that the body is well-formed JSON.',
      code,
    };
  }
  const id = randomUUID();
  // PostgreSQL's 22021/22P05 (text it cannot store) stay 500s on purpose: the edge refuses such client input
  // (src/http/input.ts), so one that reaches the database came from elsewhere (a connector, a bug) and must show.
  // Messages of driver errors can quote values (personal data): log the kind and where, not the message.
  const e = err as { name?: string; code?: string; stack?: string };
  req.log.error(
    { errorId: id, errName: e?.name, errCode: e?.code, at: e?.stack?.split('\n').slice(1, 6).join('\n') },
    'unhandled error',
  );
  return {
    type: `${TYPE_BASE}internal`,
    title: 'internal error',
    status: 500,
    detail: `Something went wrong on our side. Quote error id ${id} when reporting it.`,
    instance: `urn:uuid:${id}`,
    code: 'internal',
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem) {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
