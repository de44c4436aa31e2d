/**
 * The contract, suite-wide: every response of a documented operation (the API under /api/ and /healthz, as in
 * /api/openapi.json) that a test server gives is sorted as
 *
 * - checked: its route declares a schema for its status and the zod serializer encoded the body with it (a
 *   body sent as text is parsed against the schema here), or it is a problem+json document that the
 *   `Problem` schema (src/http/problem.ts) accepts;
 * - a mismatch: the serializer refused the body (ResponseSerializationError, which the client sees as a 500),
 *   or a problem document, text body or empty body the schema refuses;
 * - undeclared: its route declares no schema for its status;
 * - unchecked: declared, but sent as bytes or a stream, which cannot be read here.
 *
 * `observeContract` hooks a server (test/support/server.ts passes it to `buildServer`); the setup file
 * test/support/contract-setup.ts appends each test file's counts to a file of the run, and the global setup
 * test/support/contract-report.ts sums them, prints one line and fails the run on a mismatch.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { $ZodType, safeParse } from 'zod/v4/core';
import { isDocumented } from '../../src/http/openapi.ts';
import { problemSchema } from '../../src/http/problem.ts';

export type ContractCounts = {
  checked: number;
  mismatches: number;
  undeclared: number;
  unchecked: number;
  /** `METHOD /route status` → how many, per kind; the mismatches with what was wrong (field paths only). */
  routes: {
    mismatch: Record<string, number>;
    undeclared: Record<string, number>;
    unchecked: Record<string, number>;
  };
  mismatchDetails: string[];
};

export const emptyCounts = (): ContractCounts => ({
  checked: 0,
  mismatches: 0,
  undeclared: 0,
  unchecked: 0,
  routes: { mismatch: {}, undeclared: {}, unchecked: {} },
  mismatchDetails: [],
});

let counts = emptyCounts();

/** What the hooks learn about one response before it is sent. */
type Seen = {
  /** The zod serializer ran (Fastify calls preSerialization exactly when it serializes a body). */
  serialized?: boolean;
  /** What was wrong, when the body did not match. */
  mismatch?: string;
  /** A problem document that the Problem schema accepted. */
  problem?: boolean;
  /** A body sent as text or empty, checked here against the declared schema. */
  checkedHere?: boolean;
};
const seen = new WeakMap<FastifyRequest, Seen>();
const stateOf = (req: FastifyRequest) => {
  const s = seen.get(req) ?? {};
  seen.set(req, s);
  return s;
};

const routeOf = (req: FastifyRequest) => req.routeOptions.url;
const counted = (req: FastifyRequest) => {
  const route = routeOf(req);
  if (route === undefined) return req.method !== 'HEAD' && req.url.startsWith('/api/');
  return (
    !(req.routeOptions.schema as { hide?: boolean } | undefined)?.hide && isDocumented(req.method, route)
  );
};

/** The route's declared response schema for a status, as Fastify looks it up (exact, then 2xx, then default). */
function declaredFor(req: FastifyRequest, status: number): unknown {
  const response = (req.routeOptions.schema as { response?: Record<string, unknown> } | undefined)?.response;
  if (!response) return undefined;
  const family = String(status)[0];
  return response[status] ?? response[`${family}xx`] ?? response[`${family}XX`] ?? response.default;
}

/** The zod schema of a declaration for a content type (a schema, `{ properties }`, or one per content type). */
function zodOf(declared: unknown, contentType: string): $ZodType | undefined {
  if (declared instanceof $ZodType) return declared;
  if (!declared || typeof declared !== 'object') return undefined;
  const o = declared as Record<string, unknown>;
  if (o.properties instanceof $ZodType) return o.properties;
  if (o.schema instanceof $ZodType) return o.schema;
  const byType = (o.content ?? o) as Record<string, unknown>;
  const media = contentType.split(';')[0]!.trim();
  const entry = byType[media] ?? byType['*/*'];
  return entry && entry !== declared ? zodOf(entry, contentType) : undefined;
}

const issuesOf = (error: unknown) =>
  ((error as { issues?: { path: PropertyKey[]; message: string }[] })?.issues ?? [])
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
    .join('; ');

function checkBody(req: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const s = stateOf(req);
  const type = String(reply.getHeader('content-type') ?? '');
  if (type.startsWith('application/problem+json')) {
    const r = typeof payload === 'string' ? safeParse(problemSchema, parseJson(payload)) : undefined;
    if (r?.success) s.problem = true;
    else s.mismatch ??= `not a Problem: ${r ? issuesOf(r.error) : 'body not text'}`;
    return;
  }
  if (s.serialized || s.mismatch) return;
  const declared = declaredFor(req, reply.statusCode);
  if (declared === undefined) return;
  const schema = zodOf(declared, type);
  if (!schema) return;
  const empty = payload === undefined || payload === null || payload === '';
  if (!empty && typeof payload !== 'string') return; // bytes or a stream: unchecked
  const value = empty ? undefined : type.includes('json') ? parseJson(payload as string) : payload;
  const r = safeParse(schema, value);
  if (r.success || (empty && safeParse(schema, null).success)) s.checkedHere = true;
  else s.mismatch = issuesOf(r.error) || 'the body does not match';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return Symbol('not JSON');
  }
}

function classify(req: FastifyRequest, reply: FastifyReply) {
  const s = seen.get(req) ?? {};
  const key = `${req.method} ${routeOf(req) ?? '(no route)'} ${reply.statusCode}`;
  const bump = (kind: keyof ContractCounts['routes']) => {
    counts.routes[kind][key] = (counts.routes[kind][key] ?? 0) + 1;
  };
  if (s.mismatch) {
    counts.mismatches++;
    bump('mismatch');
    if (counts.mismatchDetails.length < 20) counts.mismatchDetails.push(`${key}: ${s.mismatch}`);
  } else if (s.problem || s.checkedHere) counts.checked++;
  else if (declaredFor(req, reply.statusCode) === undefined) {
    counts.undeclared++;
    bump('undeclared');
  } else if (s.serialized) counts.checked++;
  else {
    counts.unchecked++;
    bump('unchecked');
  }
}

/** Hooks one server: added before its routes (`buildServer`'s `observe`), so they see every request. */
export function observeContract(server: FastifyInstance): void {
  server.addHook('preSerialization', async (req, _reply, payload) => {
    if (counted(req)) stateOf(req).serialized = true;
    return payload;
  });
  server.addHook('onError', async (req, _reply, err) => {
    if (counted(req) && (err as { code?: string }).code === 'FST_ERR_RESPONSE_SERIALIZATION')
      stateOf(req).mismatch =
        `the serializer refused the body: ${issuesOf((err as { cause?: unknown }).cause)}`;
  });
  server.addHook('onSend', async (req, reply, payload) => {
    if (counted(req)) checkBody(req, reply, payload);
    return payload;
  });
  server.addHook('onResponse', async (req, reply) => {
    if (counted(req)) classify(req, reply);
  });
}

/** Appends this test file's counts to the run's file (from contract-setup.ts) and starts afresh. */
export function flushContractCounts(dir: string): void {
  const c = counts;
  counts = emptyCounts();
  if (c.checked + c.mismatches + c.undeclared + c.unchecked === 0) return;
  appendFileSync(join(dir, 'counts.jsonl'), `${JSON.stringify(c)}\n`);
}
