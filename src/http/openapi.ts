/**
 * The OpenAPI 3.1 document at /api/openapi.json, as a generator needs it. @fastify/swagger collects the
 * routes and fastify-type-provider-zod turns their zod schemas into JSON Schema (`jsonSchemaTransform`);
 * around that, `documentRoute` gives each operation under /api/ what its route declares elsewhere:
 *
 * - an `operationId` from its method and path (`operationIdOf`; a route's own `schema.operationId` wins),
 * - its `security` from its declared permission (`config.permission`: 'public' needs nothing; a permission an
 *   API key can never hold (KEY_FORBIDDEN) needs the session; any other, the session or an API key),
 * - its problem+json error responses (`problemStatuses`), each a shared response of the `Problem` schema made
 *   from the zod schema every problem is sent with (src/http/problem.ts);
 *
 * and `completeDocument` adds the servers (OMBUD_PUBLIC_URL), the shared components, examples and the
 * `webhooks` Ombud sends (consent changes to subscribed endpoints, fulfilment requests to HTTP connectors),
 * whose bodies are the zod schemas the senders are typed from. Pages, the SDK and hidden routes stay out.
 * `npm run lint:openapi` lints the result with Redocly (redocly.yaml).
 */
import type { FastifyDynamicSwaggerOptions, SwaggerTransform } from '@fastify/swagger';
import type { FastifySchema, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EVENT_KINDS, type EventKind } from '../core/consent/event.ts';
import { KEY_FORBIDDEN, type Permission } from '../core/policies/permissions.ts';
import { consentWebhookEventOf, EVENT_TYPES } from '../services/consent/webhooks.ts';
import { serviceAnswer, serviceRequest } from '../services/fulfilment/connectors/http.ts';
import { retentionAnswer, retentionRequest } from '../services/retention/contract.ts';
import { type OperationExamples, OPERATION_EXAMPLES } from './openapiExamples.ts';
import { problemSchema } from './problem.ts';

type Json = Record<string, unknown>;
type Operation = Json & {
  operationId?: string;
  parameters?: Json[];
  requestBody?: { content?: Record<string, Json> };
  responses?: Record<string, Json>;
};

/** What the document describes: the API, and the health checks a load balancer calls. Pages stay out. */
export const isDocumented = (method: string, url: string) =>
  method !== 'OPTIONS' &&
  method !== 'HEAD' &&
  (url.startsWith('/api/') || url === '/healthz' || url === '/readyz');

/** Names the rule below cannot make: an action named by a noun or by several words, a route named for its verb. */
const OPERATION_IDS: Record<string, string> = {
  'GET /healthz': 'checkHealth',
  'GET /readyz': 'checkReadiness',
  'POST /api/v1/organizations/{orgId}/roles': 'grantRole',
  'DELETE /api/v1/organizations/{orgId}/roles/{userId}/{role}': 'revokeRole',
  'GET /api/v1/audit': 'searchAudit',
  'GET /api/v1/audit/verify': 'verifyAuditChain',
  'POST /api/v1/organizations/{orgId}/contact-checks': 'checkContact',
  'POST /api/v1/organizations/{orgId}/contact-checks/bulk': 'checkContactsInBulk',
  'POST /api/v1/organizations/{orgId}/subjects/consent-history': 'getConsentHistory',
  'POST /api/v1/fulfilment/{requestId}/tasks/{systemId}': 'answerFulfilmentTask',
  'POST /api/v1/fulfilment/connectors/http': 'configureHttpConnector',
  'POST /api/v1/fulfilment/tasks/answers': 'answerFulfilmentTasks',
  'POST /api/v1/requests': 'fileRequest',
  'POST /api/v1/requests/verify-code': 'verifyRequestByCode',
  'POST /api/v1/requests/verify-assertion': 'verifyRequestByAssertion',
  'POST /api/v1/requests/{id}/verify-manual': 'verifyRequestManually',
  'POST /api/v1/requests/{id}/refusal-warning': 'warnOfRefusal',
  'POST /api/v1/requests/{id}/fee': 'chargeRequestFee',
  'POST /api/v1/requests/{id}/fee/paid': 'markRequestFeePaid',
  'POST /api/v1/requests/{id}/objection-decision': 'decideObjection',
  'POST /api/v1/requests/{id}/no-data': 'answerNoData',
  'POST /api/v1/requests/{id}/group/approve': 'approveGroupRequest',
  'POST /api/v1/requests/{id}/group/refusal-warning': 'warnOfGroupRefusal',
  'POST /api/v1/requests/{id}/group/refuse': 'refuseGroupRequest',
  'POST /api/v1/requests/{id}/group/extend': 'extendGroupRequest',
  'POST /api/v1/retention/runs': 'startRetentionRun',
  'POST /api/v1/retention/tasks/{id}': 'answerRetentionTask',
};

/** Path segments spelled as one word that are two. */
const SEGMENT_WORDS: Record<string, string> = { apikeys: 'api-keys' };

const isParam = (segment: string | undefined) => segment?.startsWith(':') ?? false;
const lastWord = (segment: string) => segment.split('-').at(-1)!;
const isPlural = (segment: string) => /[^su]s$/.test(lastWord(segment)) || /ies$/.test(lastWord(segment));
const singular = (segment: string) =>
  !isPlural(segment) ? segment : segment.endsWith('ies') ? `${segment.slice(0, -3)}y` : segment.slice(0, -1);
const pascal = (segment: string) =>
  segment
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
const camel = (segment: string) => {
  const p = pascal(segment);
  return p.charAt(0).toLowerCase() + p.slice(1);
};
const VERB: Record<string, string> = { GET: 'get', DELETE: 'delete', PUT: 'replace', PATCH: 'update' };

/** `/api/v1/requests/:id` → `/api/v1/requests/{id}`, as the document writes paths. */
export const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The operationId of a route, from its method and path: the static segments name the resource (a segment
 * before a parameter in the singular; a path under /organizations/{orgId}/ without that prefix, the company
 * being a parameter), and the verb is `get`/`delete` for one item, `list` for a collection, `create` for a
 * POST to a collection, or the path's last segment for a POST action on what precedes it.
 * GET /api/v1/requests/{id} → getRequest, POST /api/v1/requests/{id}/extend → extendRequest,
 * GET /api/v1/webhooks/deliveries → listWebhookDeliveries.
 */
export function operationIdOf(method: string, url: string): string {
  const named = OPERATION_IDS[`${method} ${openapiPath(url)}`];
  if (named) return named;
  const segments = url
    .replace(/^\/api(\/v\d+)?(?=\/)/, '')
    .split('/')
    .filter(Boolean)
    .map((s) => SEGMENT_WORDS[s] ?? s);
  if (segments[0] === 'organizations' && isParam(segments[1]) && segments.length > 2) segments.splice(0, 2);
  const statics = segments.filter((s) => !isParam(s));
  const last = statics.at(-1) ?? 'root';
  let verb: string;
  let nouns: string[];
  if (isParam(segments.at(-1))) [verb, nouns] = [VERB[method] ?? 'post', statics.map(singular)];
  else if (method === 'GET' && isPlural(last))
    [verb, nouns] = ['list', [...statics.slice(0, -1).map(singular), last]];
  else if (method === 'GET') [verb, nouns] = ['get', statics.map(singular)];
  else if (method === 'POST' && isPlural(last)) [verb, nouns] = ['create', statics.map(singular)];
  else if (method === 'POST' && statics.length > 1)
    [verb, nouns] = [camel(last), statics.slice(0, -1).map(singular)];
  else [verb, nouns] = [VERB[method] ?? 'post', statics.map(singular)];
  return verb + nouns.map(pascal).join('');
}

/** Who may call: nobody needs to sign in for a public route; keys never hold KEY_FORBIDDEN permissions. */
export function securityOf(permission: Permission): Record<string, string[]>[] {
  if (permission === 'public') return [];
  if (KEY_FORBIDDEN.includes(permission)) return [{ session: [] }];
  return [{ session: [] }, { apiKey: [] }];
}

/** The shared problem+json responses, by status: their components name and what they mean. */
export const PROBLEM_RESPONSES: Record<number, { name: string; description: string; example: Json }> = {
  400: {
    name: 'BadRequest',
    description:
      'The request is malformed or a field is invalid (errors[] names each one by path, e.g. body.email).',
    example: {
      type: 'https://ombud.dev/problems/invalid-request',
      title: 'invalid request',
      status: 400,
      detail: 'The request body is not valid.',
      code: 'invalid-request',
      errors: [{ path: 'body.email', message: 'an e-mail address to answer to' }],
      hint: 'Correct the fields listed in errors; see /api/openapi.json for the expected form.',
    },
  },
  401: {
    name: 'Unauthorized',
    description: 'No valid session or API key: sign in, or send Authorization: Bearer <key>.',
    example: {
      type: 'https://ombud.dev/problems/unauthenticated',
      title: 'unauthenticated',
      status: 401,
      detail: 'Sign in to the console, or send an API key as Authorization: Bearer <key>.',
      code: 'unauthenticated',
    },
  },
  403: {
    name: 'Forbidden',
    description:
      "The caller lacks the operation's permission in the company (or, for a session, the change did not come from Ombud's own origin).",
    example: {
      type: 'https://ombud.dev/problems/forbidden',
      title: 'forbidden',
      status: 403,
      detail: "You do not have 'requests:write' in organization 'provendo'.",
      code: 'forbidden',
    },
  },
  404: {
    name: 'NotFound',
    description: 'Nothing with that id, or nothing the caller may read.',
    example: {
      type: 'https://ombud.dev/problems/request-not-found',
      title: 'not found',
      status: 404,
      detail: "No request with id '6f1c1d6e-0b7a-4f0e-9a51-2f7d3c1e8b90'.",
      code: 'request-not-found',
    },
  },
  409: {
    name: 'Conflict',
    description:
      'The current state does not allow it: a step out of order, an Idempotency-Key reused with another request, or no register applied yet.',
    example: {
      type: 'https://ombud.dev/problems/no-register',
      title: 'precondition',
      status: 409,
      detail: 'No register has been applied yet.',
      code: 'no-register',
      hint: 'Run `ombud register apply DIR`.',
    },
  },
  413: {
    name: 'ContentTooLarge',
    description: 'The request body is larger than the operation takes.',
    example: {
      type: 'https://ombud.dev/problems/body-too-large',
      title: 'body too large',
      status: 413,
      detail: 'The request body is too large.',
      code: 'body-too-large',
    },
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not sent as application/json.',
    example: {
      type: 'https://ombud.dev/problems/unsupported-media-type',
      title: 'unsupported media type',
      status: 415,
      detail: 'Send the body as application/json.',
      code: 'unsupported-media-type',
    },
  },
  422: {
    name: 'UnprocessableContent',
    description:
      'Well-formed, but not acceptable to the register or the rules (an unknown purpose, a date past the limit); errors[] names the fields.',
    example: {
      type: 'https://ombud.dev/problems/invalid-purpose',
      title: 'validation',
      status: 422,
      detail: "purpose: 'newsletter' is not a purpose of 'provendo'.",
      code: 'invalid-purpose',
      errors: [
        {
          path: 'purpose',
          message: 'unknown purpose for this organization',
          hint: 'Use one of: purchase-communication, communication-subscription.',
        },
      ],
    },
  },
  429: {
    name: 'TooManyRequests',
    description: 'Too many requests from this client: wait (see Retry-After) and try again.',
    example: {
      type: 'https://ombud.dev/problems/rate-limited',
      title: 'rate limited',
      status: 429,
      detail: 'Too many requests; slow down and retry later.',
      code: 'rate-limited',
    },
  },
  500: {
    name: 'InternalError',
    description: 'Something went wrong in Ombud; quote the error id of `instance` when reporting it.',
    example: {
      type: 'https://ombud.dev/problems/internal',
      title: 'internal error',
      status: 500,
      detail:
        'Something went wrong on our side. Quote error id 0b6f0a52-3c1e-4d8e-9f4a-6c2d1e7b9a30 when reporting it.',
      instance: 'urn:uuid:0b6f0a52-3c1e-4d8e-9f4a-6c2d1e7b9a30',
      code: 'internal',
    },
  },
};

/**
 * The problem statuses a route can answer with: 400 and 422 when it takes input, 413 and 415 when it takes a
 * body, 401 and 403 unless public, 404 with a path parameter, 409 on the API (a change can conflict, a read can
 * need the register), 429 when rate limited (every public route is), 500 always.
 */
export function problemStatuses(route: Pick<RouteOptions, 'url' | 'schema' | 'config'>): number[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const config = (route.config ?? {}) as { permission?: Permission; rateLimit?: unknown };
  const statuses: number[] = [];
  if (schema.body || schema.querystring || schema.params || schema.headers) statuses.push(400, 422);
  if (schema.body) statuses.push(413, 415);
  if (config.permission !== 'public') statuses.push(401, 403);
  if (route.url.includes(':')) statuses.push(404);
  if (route.url.startsWith('/api/')) statuses.push(409);
  if (config.permission === 'public' || config.rateLimit) statuses.push(429);
  statuses.push(500);
  return statuses.sort((a, b) => a - b);
}

/** Carries an operation's problem statuses from `documentRoute` to `completeDocument`. */
const PROBLEMS_KEY = 'x-ombud-problems';

/** The per-route transform: zod to JSON Schema, then operationId, security and problems (see the top). */
export const documentRoute: SwaggerTransform = (input) => {
  const { route, url } = input;
  const method = [route.method].flat()[0]!;
  if (!isDocumented(method, url)) return { schema: { hide: true } as never, url };
  const out = jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]);
  if ((out.schema as { hide?: boolean } | undefined)?.hide) return out;
  const permission = (route.config as { permission?: Permission } | undefined)?.permission ?? 'public';
  const schema = (out.schema ?? {}) as FastifySchema & { operationId?: string; security?: Json[] };
  return {
    url: out.url,
    schema: {
      ...schema,
      operationId: schema.operationId ?? operationIdOf(method, url),
      security: schema.security ?? securityOf(permission),
      'x-ombud-permission': permission,
      [PROBLEMS_KEY]: problemStatuses(route),
    },
  };
};

const jsonSchemaOf = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json;
  return rest;
};
const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

/** The Standard Webhooks headers every webhook carries. */
const WEBHOOK_HEADERS: Record<string, Json> = {
  WebhookId: {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description: 'The delivery id, the same on every retry of this delivery: use it to drop duplicates.',
    schema: { type: 'string' },
  },
  WebhookTimestamp: {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'Unix seconds when signed. Refuse one more than 5 minutes from your clock.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  WebhookSignature: {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      'Space-separated `v1,<base64>` signatures, base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")) with key the base64-decoded part of the endpoint secret after `whsec_`. Compare in constant time; one must match.',
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
  },
};

const CONSENT_EVENTS: Record<EventKind, { operationId: string; summary: string }> = {
  grant: {
    operationId: 'onConsentGranted',
    summary: 'A data subject gave consent to a purpose on a channel',
  },
  withdraw: { operationId: 'onConsentWithdrawn', summary: 'A data subject withdrew consent' },
  object: {
    operationId: 'onObjectionRecorded',
    summary: 'A data subject objected (to a purpose, or to all direct marketing)',
  },
  'lift-objection': { operationId: 'onObjectionLifted', summary: 'An earlier objection was lifted' },
};
const eventSchemaName = (kind: EventKind) => pascal(EVENT_TYPES[kind].replace('.', '-'));

function webhooks(): { webhooks: Json; schemas: Json } {
  const signed = [
    ref('parameters', 'WebhookId'),
    ref('parameters', 'WebhookTimestamp'),
    ref('parameters', 'WebhookSignature'),
  ];
  const out: Json = {};
  const schemas: Json = {};
  for (const kind of EVENT_KINDS) {
    const name = eventSchemaName(kind);
    schemas[name] = jsonSchemaOf(consentWebhookEventOf(kind));
    out[EVENT_TYPES[kind]] = {
      post: {
        operationId: CONSENT_EVENTS[kind].operationId,
        summary: CONSENT_EVENTS[kind].summary,
        description: `Sent to every active endpoint subscribed (POST /api/v1/webhooks/endpoints) to the event's company or to all companies, as soon as the ${EVENT_TYPES[kind]} event is recorded. Verify the signature over the raw body before trusting it.`,
        tags: ['webhooks'],
        security: [],
        parameters: signed,
        requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', name) } } },
        responses: {
          '2XX': {
            description: 'Received. Any other answer, a redirect or no answer within 10 s is retried.',
          },
          default: {
            description:
              'Not received: retried with exponential back-off (8 retries); after the last one the delivery is dead, listed at /console/webhooks and replayable.',
          },
        },
      },
    };
  }
  schemas.FulfilmentRequest = jsonSchemaOf(serviceRequest);
  schemas.FulfilmentAnswer = jsonSchemaOf(serviceAnswer, 'input');
  out['ombud.fulfilment.request'] = {
    post: {
      operationId: 'onFulfilmentRequest',
      summary: 'Carry out a data subject request in a service (HTTP connector)',
      description:
        'Sent to the URL of an HTTP connector (POST /api/v1/fulfilment/connectors/http) once per data subject request and system, and to recipients told of a rectification, erasure or restriction (Art. 19). Answer at once with 200 and the answer, or with 202 and later POST the answer, signed with the same secret, to `callback_url`. See docs/connectors/http.md.',
      tags: ['webhooks'],
      security: [],
      parameters: signed,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: ref('schemas', 'FulfilmentRequest') } },
      },
      responses: {
        '200': {
          description: 'Done at once: the answer.',
          content: { 'application/json': { schema: ref('schemas', 'FulfilmentAnswer') } },
        },
        '202': { description: 'Accepted: the answer follows to callback_url.' },
        '401': { description: 'Signature or timestamp wrong: not retried, the step fails saying so.' },
        '429': { description: 'Retried (twice within the step, after 0.5 s and 2 s).' },
        '5XX': { description: 'Retried like 429.' },
        default: { description: 'Any other status is an error that is not retried.' },
      },
    },
  };
  schemas.RetentionRequest = jsonSchemaOf(retentionRequest);
  schemas.RetentionAnswer = jsonSchemaOf(retentionAnswer, 'input');
  out['ombud.retention.request'] = {
    post: {
      operationId: 'onRetentionRequest',
      summary: 'End a retention rule in a service (HTTP connector)',
      description:
        "Sent by a retention run to the URL of an HTTP connector once per run and purpose rule whose data the system holds (the register's purposes name it) when no SQL dataset sweeps it: delete or anonymise the records whose trigger date is before `expired_before`, except what an exception still keeps. `delivery_id` is the same on every retry and resumed run: the idempotency key. Answer at once with 200, or with 202 and later POST the answer, signed, to `callback_url`. See docs/connectors/http.md (Retention).",
      tags: ['webhooks'],
      security: [],
      parameters: signed,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: ref('schemas', 'RetentionRequest') } },
      },
      responses: {
        '200': {
          description: 'Done at once: the counts.',
          content: { 'application/json': { schema: ref('schemas', 'RetentionAnswer') } },
        },
        '202': { description: 'Accepted: the answer follows to callback_url.' },
        '401': {
          description: 'Signature or timestamp wrong: not retried, the request fails and the run with it.',
        },
        '429': {
          description:
            'Retried (twice, after 0.5 s and 2 s), then the request fails; a resumed run sends it again.',
        },
        '5XX': { description: 'Retried like 429.' },
        default: { description: 'Any other status is an error that is not retried.' },
      },
    },
  };
  return { webhooks: out, schemas };
}

/** Every `$ref` in a part of the document. */
function refsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, into);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.add(v);
      else refsIn(v, into);
    }
  return into;
}

/** Drops component schemas nothing refers to (zod registries give an input and an output form of each). */
function pruneSchemas(doc: Json & { components: { schemas: Json } }) {
  const { schemas } = doc.components;
  const { schemas: _, ...restOfComponents } = doc.components;
  const used = new Set<string>();
  const visit = (refs: Set<string>) => {
    for (const r of refs) {
      const name = r.startsWith('#/components/schemas/')
        ? r.slice('#/components/schemas/'.length)
        : undefined;
      if (name && !used.has(name) && schemas[name]) {
        used.add(name);
        visit(refsIn(schemas[name]));
      }
    }
  };
  visit(refsIn({ ...doc, components: restOfComponents }));
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Headers an operation's success answer carries besides its body, by method and path: the audit search's
 * neighbouring pages, for a client paging by seq.
 */
const SUCCESS_HEADERS: Record<string, Record<string, Json>> = {
  'get /api/v1/audit': {
    'x-ombud-older': {
      description:
        'The seq to page back from (send it as `before`); absent on the oldest page. Not sent with format=csv.',
      schema: { type: 'integer' },
    },
    'x-ombud-newer': {
      description: 'The seq to page forward from (send it as `after`); absent on the newest page.',
      schema: { type: 'integer' },
    },
  },
};

/**
 * The document-wide transform: servers, components (Problem, the problem responses, the webhook headers
 * and bodies), each operation's problems and examples, the webhooks; fails on a repeated operationId.
 */
export function completeDocument(
  publicUrl: string,
): NonNullable<FastifyDynamicSwaggerOptions['transformObject']> {
  return (input) => {
    const doc = jsonSchemaTransformObject(input) as Json & {
      paths: Record<string, Record<string, Operation>>;
      components: Json & { schemas: Json };
    };
    doc.servers = [{ url: publicUrl, description: 'This installation (OMBUD_PUBLIC_URL)' }];
    const hooks = webhooks();
    const responses: Json = {};
    for (const [status, r] of Object.entries(PROBLEM_RESPONSES))
      responses[r.name] = {
        description: r.description,
        ...(status === '429'
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before trying again.',
                  schema: { type: 'integer' },
                },
              },
            }
          : {}),
        content: { 'application/problem+json': { schema: ref('schemas', 'Problem'), example: r.example } },
      };
    doc.components = {
      ...doc.components,
      schemas: { ...doc.components.schemas, Problem: jsonSchemaOf(problemSchema), ...hooks.schemas },
      responses,
      parameters: WEBHOOK_HEADERS,
    };

    const seen = new Map<string, string>();
    for (const [path, item] of Object.entries(doc.paths))
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const id = op.operationId!;
        const other = seen.get(id);
        if (other) throw new Error(`OpenAPI: operationId '${id}' of ${method} ${path} is also ${other}'s.`);
        seen.set(id, `${method} ${path}`);
        const statuses = (op[PROBLEMS_KEY] as number[] | undefined) ?? [];
        delete op[PROBLEMS_KEY];
        op.responses ??= {};
        for (const status of statuses)
          op.responses[String(status)] ??= ref('responses', PROBLEM_RESPONSES[status]!.name);
        const headers = SUCCESS_HEADERS[`${method} ${path}`];
        if (headers) {
          const ok = op.responses['200'] as Json | undefined;
          if (!ok) throw new Error(`OpenAPI: headers for ${method} ${path}, which has no 200 answer.`);
          ok.headers = headers;
        }
        addExamples(op, OPERATION_EXAMPLES[id]);
      }
    for (const id of Object.keys(OPERATION_EXAMPLES))
      if (!seen.has(id)) throw new Error(`OpenAPI: examples for '${id}', which is no operation.`);
    doc.webhooks = hooks.webhooks;
    pruneSchemas(doc);
    return doc;
  };
}

/**
 * An operation's examples (openapiExamples.ts) on its JSON request body and success answers, as named
 * `examples`; an example for a body or an answer the operation does not declare fails the document.
 */
function addExamples(op: Operation, examples: OperationExamples | undefined) {
  const key = op.parameters?.find((p) => p.in === 'header' && p.name === 'idempotency-key');
  if (key) key.example = '3f6c2b1e-8f4a-4c53-9d0e-2a7b5c9e1f04';
  if (!examples) return;
  if (examples.body) {
    const body = op.requestBody?.content?.['application/json'];
    if (!body) throw new Error(`OpenAPI: ${op.operationId} has body examples but no JSON body.`);
    delete body.example;
    body.examples = examples.body;
  }
  for (const [status, named] of Object.entries(examples.responses ?? {})) {
    const media = (op.responses?.[status]?.content as Record<string, Json> | undefined)?.['application/json'];
    if (!media) throw new Error(`OpenAPI: ${op.operationId} has examples for ${status} but no JSON answer.`);
    delete media.example;
    media.examples = named;
  }
}

/** The options of @fastify/swagger: the document's frame and the two transforms. */
export function openapiOptions(publicUrl: string): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ombud API',
        version: '0.1.0',
        description:
          'Privacy operations: the register, notices, consent, data subject requests, fulfilment and retention. ' +
          'Errors are RFC 9457 problem+json (the Problem schema). Systems authenticate with an API key ' +
          '(Authorization: Bearer omb_…, made in the console or with POST /api/v1/apikeys); people with the ' +
          "console's session cookie. Consent changes and fulfilment requests reach other systems as signed webhooks (see webhooks).",
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ombud_session',
            description:
              "The console's session (sign in at /console/login). A change sent with it must come from Ombud's own origin (Origin or Referer header), or it is refused with 403.",
          },
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key (omb_…) with the permissions and companies it was made for. Keys never manage people or keys.',
          },
        },
      },
    },
    transform: documentRoute,
    transformObject: completeDocument(publicUrl),
  };
}
