/**
 * A typed client of the Ombud API, for the group's systems (a shop backend, a customer-service tool):
 * openapi-fetch over the types generated from the API's OpenAPI document (`schema.ts`, from
 * openapi/ombud.openapi.json; regenerate with `npm run client:generate`). See docs/client.md.
 *
 *   const ombud = createOmbudClient({ baseUrl: 'https://ombud.example', apiKey: process.env.OMBUD_API_KEY });
 *   const { data } = await ombud.POST('/api/v1/organizations/{orgId}/contact-checks', {
 *     params: { path: { orgId: 'nestit-sverige' } },
 *     body: { identity: { email }, purpose: 'communication-subscription', channel: 'email' },
 *   });
 *
 * Paths, parameters and bodies are checked against the document by tsc. Every answer that is not a 2xx is
 * thrown as an {@link OmbudApiError} (the RFC 9457 problem Ombud answers with), so a call that returns has
 * succeeded and its `data` is the declared success body.
 */
import createClient, { type FetchResponse, type MaybeOptionalInit, type Middleware } from 'openapi-fetch';
import type { paths } from './schema.ts';

export type { paths } from './schema.ts';

export type OmbudClientOptions = {
  /** Where Ombud is served, e.g. `https://privacy.example.com` (its OMBUD_PUBLIC_URL). */
  baseUrl: string;
  /** An API key (`omb_…`, created in the console or with `ombud apikey create`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** The fetch to use (default: the global fetch), e.g. one with a proxy, or a test's. */
  fetch?: (request: Request) => Promise<Response>;
};

/** One field of a problem: where (`body.email`) and what is wrong with it. */
export type ProblemField = { path: string; message: string; hint?: string };

/** An answer that is not a 2xx, read from its RFC 9457 problem document (src/http/problem.ts). */
export class OmbudApiError extends Error {
  override readonly name = 'OmbudApiError';
  /** The HTTP status. */
  readonly status: number;
  /** The problem's stable code (`fulfilment-already-queued`, `invalid-request`, …); what a program branches on. */
  readonly code: string | undefined;
  /** The problem type URI. */
  readonly type: string | undefined;
  readonly title: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  /** The fields at fault, for validation problems; empty otherwise. */
  readonly errors: ProblemField[];
  /** The problem's instance (a 500 names its error id here). */
  readonly instance: string | undefined;
  /** The call, as `POST /api/v1/requests/{id}/approve` (the path template: no identifiers or personal data). */
  readonly operation: string;

  constructor(status: number, problem: Record<string, unknown>, operation: string) {
    const text = (key: string) => (typeof problem[key] === 'string' ? (problem[key] as string) : undefined);
    const title = text('title') ?? `HTTP ${status}`;
    super(`${operation} answered ${status} ${title}${text('detail') ? `: ${text('detail')}` : ''}`);
    this.status = status;
    this.code = text('code');
    this.type = text('type');
    this.title = title;
    this.detail = text('detail');
    this.hint = text('hint');
    this.instance = text('instance');
    this.errors = Array.isArray(problem.errors) ? (problem.errors as ProblemField[]) : [];
    this.operation = operation;
  }
}

/** Throws every answer that is not a 2xx as an OmbudApiError (a body that is not a problem gives just the status). */
const problemsAsErrors: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    if (response.ok) return undefined;
    let problem: Record<string, unknown> = {};
    try {
      const body: unknown = await response.clone().json();
      if (body && typeof body === 'object') problem = body as Record<string, unknown>;
    } catch {
      // Not JSON (a proxy's error page): the status alone.
    }
    throw new OmbudApiError(response.status, problem, `${request.method} ${schemaPath}`);
  },
};

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type PathWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** The options argument, required when the call has required parameters or a required body (as openapi-fetch). */
type InitArg<Init> =
  RequiredKeys<Init> extends never
    ? [init?: Init & { [key: string]: unknown }]
    : [init: Init & { [key: string]: unknown }];
/** openapi-fetch's success case: `data` is the declared 2xx body. */
type Success<Operation, Init> =
  Operation extends Record<string | number, unknown>
    ? Extract<FetchResponse<Operation, Init, `${string}/${string}`>, { data: unknown }>
    : never;
/**
 * A call's answer. `data` is the declared success body; for an operation whose document declares none it is
 * `Undeclared` (`unknown` unless the client was made with another).
 */
export type OmbudAnswer<Operation, Init, Undeclared = unknown> = {
  data: [Success<Operation, Init>['data']] extends [undefined]
    ? Undeclared
    : Success<Operation, Init>['data'];
  response: Response;
};
type Call<M extends Method, Undeclared> = <
  P extends PathWith<M>,
  Init extends MaybeOptionalInit<paths[P], M>,
>(
  url: P,
  ...init: InitArg<Init>
) => Promise<OmbudAnswer<paths[P][M], Init, Undeclared>>;

/** The client: one method per HTTP method, taking a path of the document (`/api/v1/requests/{id}`). */
export type OmbudClient<Undeclared = unknown> = {
  GET: Call<'get', Undeclared>;
  POST: Call<'post', Undeclared>;
  PUT: Call<'put', Undeclared>;
  PATCH: Call<'patch', Undeclared>;
  DELETE: Call<'delete', Undeclared>;
};

/**
 * A client of the Ombud API at `baseUrl`, authenticated with `apiKey`. `Undeclared` is the type of `data` for
 * an operation whose document declares no success body (`unknown`: read it as you would untrusted JSON).
 */
export function createOmbudClient<Undeclared = unknown>(
  options: OmbudClientOptions,
): OmbudClient<Undeclared> {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.apiKey ? { headers: { authorization: `Bearer ${options.apiKey}` } } : {}),
  });
  client.use(problemsAsErrors);
  // The same object: openapi-fetch's methods, whose error case cannot return (problemsAsErrors throws it).
  return client as unknown as OmbudClient<Undeclared>;
}
