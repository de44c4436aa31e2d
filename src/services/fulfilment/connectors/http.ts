/**
 * The HTTP connector: fulfilment in an external service (a mail provider, a help desk) that implements the
 * signed request/callback contract of docs/connectors/http.md. Ombud POSTs one JSON request per request and
 * system, signed Standard Webhooks style; the service answers at once (200 + answer) or accepts (202) and
 * later POSTs its answer, signed with the same secret, to the callback URL. Each service's secret is stored
 * sealed (`seal`/`open`, context "fulfilment-connector:<system>"), and rotated with the other secrets.
 */
import { z } from 'zod';
import { validationError } from '../../../core/errors.ts';
import { newWebhookSecret, webhookHeaders } from '../../../core/fulfilment/signature.ts';
import { type Keyring, open, seal } from '../../../core/secrets/envelope.ts';
import type { Db } from '../../../storage/db.ts';
import { type Actor, recordAudit } from '../../audit/auditLog.ts';

export const SERVICE_ACTIONS = ['access', 'erasure', 'rectification', 'restriction'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

export const connectorContext = (systemId: string) => `fulfilment-connector:${systemId}`;

export type HttpConnectorConfig = {
  systemId: string;
  url: string;
  secret: string;
  timeoutMs: number;
  callbackHours: number;
};

/** A connector as stored: its config and how often an overdue delivery is sent again before the step fails. */
export type StoredHttpConnector = HttpConnectorConfig & { resends: number };

/**
 * What a service receives (the body of the signed POST), as docs/connectors/http.md and the OpenAPI
 * document's `webhooks` section (src/http/openapi.ts) describe it.
 */
export const serviceRequest = z.strictObject({
  type: z.literal('ombud.fulfilment.request'),
  delivery_id: z
    .string()
    .describe('dlv_ + 32 hex; the same on every retry and resend (also the webhook-id).'),
  request_id: z.string().describe("The data subject request's id."),
  system: z.string().describe("The system's id in the register."),
  action: z.enum(SERVICE_ACTIONS),
  identities: z
    .strictObject({
      email: z.string().optional(),
      phone: z.string().optional(),
      customer_number: z.string().optional(),
    })
    .describe('The verified identities (at least one). Personal data: keep them out of logs and URLs.'),
  corrections: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'For rectification only: new values keyed by fideslang data category, e.g. user.contact.email.',
    ),
  callback_url: z.url().describe('Where to POST the answer after a 202, signed with the same secret.'),
  answer_by: z.iso.datetime().describe('When Ombud sends the request again if no answer has come.'),
});
export type ServiceRequest = z.infer<typeof serviceRequest>;

/** What a service answers, in the 200 response or in the callback. */
export const serviceAnswer = z.object({
  status: z.enum(['done', 'not_found', 'failed']),
  /** How many records the service found, changed or removed. */
  records: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('How many records the service found, changed or removed.'),
  /** For access: the records the service holds, by collection. */
  data: z
    .record(z.string(), z.array(z.record(z.string(), z.unknown())))
    .optional()
    .describe('For access: the records the service holds, by collection.'),
  message: z.string().max(500).optional().describe('Optional; never personal data.'),
});
export type ServiceAnswer = z.infer<typeof serviceAnswer>;

export type SendOutcome = { kind: 'answered'; answer: ServiceAnswer } | { kind: 'accepted' };

/** A failure worth telling the console (never personal data: status codes and the system id only). */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HttpServiceConnector {
  constructor(
    readonly config: HttpConnectorConfig,
    private readonly opts: { retries?: number; backoffMs?: number; now?: () => Date } = {},
  ) {}

  /** One signed POST, retried with back-off on time-outs, network errors, 429 and 5xx. */
  send(request: ServiceRequest): Promise<SendOutcome> {
    return this.deliver(request, serviceAnswer);
  }

  /**
   * Any signed message of the contract (a fulfilment request, a retention request), its 200 answer checked
   * against `answer`; retried like `send`.
   */
  async deliver<A>(
    request: { delivery_id: string },
    answer: z.ZodType<A>,
  ): Promise<{ kind: 'answered'; answer: A } | { kind: 'accepted' }> {
    const retries = this.opts.retries ?? 2;
    const backoff = this.opts.backoffMs ?? 500;
    let last: ServiceError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoff * 4 ** (attempt - 1));
      try {
        return await this.once(request, answer);
      } catch (err) {
        last =
          err instanceof ServiceError
            ? err
            : new ServiceError(
                (err as Error).name === 'TimeoutError'
                  ? `${this.config.systemId}: no answer within ${this.config.timeoutMs} ms`
                  : `${this.config.systemId}: could not connect (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name})`,
                true,
              );
        if (!last.retryable) break;
      }
    }
    throw last!;
  }

  private async once<A>(
    request: { delivery_id: string },
    answer: z.ZodType<A>,
  ): Promise<{ kind: 'answered'; answer: A } | { kind: 'accepted' }> {
    const body = JSON.stringify(request);
    const res = await fetch(this.config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Ombud-Fulfilment/1',
        ...webhookHeaders(this.config.secret, request.delivery_id, body, this.opts.now?.() ?? new Date()),
      },
      body,
      signal: AbortSignal.timeout(this.config.timeoutMs),
      redirect: 'error',
    });
    const text = await res.text();
    if (res.status === 202) return { kind: 'accepted' };
    if (res.status === 200) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ServiceError(`${this.config.systemId}: the answer is not JSON`, false);
      }
      const parsed = answer.safeParse(json);
      if (!parsed.success)
        throw new ServiceError(
          `${this.config.systemId}: the answer does not follow the contract (${parsed.error.issues
            .map((i) => i.path.join('.') || 'body')
            .join(', ')})`,
          false,
        );
      return { kind: 'answered', answer: parsed.data };
    }
    const retryable = res.status === 429 || res.status >= 500;
    throw new ServiceError(`${this.config.systemId}: the service answered HTTP ${res.status}`, retryable);
  }
}

export const httpConnectorInput = z.object({
  systemId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a register system id'),
  url: z
    .string()
    .url()
    // zod runs refinements after a failed .url() too: a URL that `new URL` refuses is invalid, not a 500.
    .refine((u) => {
      try {
        return /^https?:$/.test(new URL(u).protocol);
      } catch {
        return false;
      }
    }, 'use an http:// or https:// URL'),
  /** A Standard Webhooks secret (whsec_<base64>); generated when omitted. */
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'whsec_ followed by at least 16 bytes in base64')
    .optional(),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  callbackHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(72),
  /** Deliveries sent again when no callback came within callbackHours, before the step fails. */
  resends: z.number().int().min(0).max(10).default(2),
});
export type HttpConnectorInput = z.input<typeof httpConnectorInput>;

/** Store (or replace) a service's connector; the secret is sealed. Returns the secret once, for the service. */
export async function saveHttpConnector(
  db: Db,
  ring: Keyring,
  actor: Actor,
  raw: HttpConnectorInput,
): Promise<{ systemId: string; secret: string }> {
  const parsed = httpConnectorInput.safeParse(raw);
  if (!parsed.success)
    throw validationError(
      'invalid-http-connector',
      'The HTTP connector is not valid.',
      parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      'Give systemId, an http(s) url and optionally secret (whsec_…), timeoutMs, callbackHours, resends.',
    );
  const c = parsed.data;
  const secret = c.secret ?? newWebhookSecret();
  await db.query(
    `INSERT INTO fulfilment_http_connectors (system_id, url, secret_sealed, timeout_ms, callback_hours, resends)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (system_id) DO UPDATE SET url = EXCLUDED.url, secret_sealed = EXCLUDED.secret_sealed,
       timeout_ms = EXCLUDED.timeout_ms, callback_hours = EXCLUDED.callback_hours, resends = EXCLUDED.resends,
       updated_at = now()`,
    [
      c.systemId,
      c.url,
      seal(ring, secret, connectorContext(c.systemId)),
      c.timeoutMs,
      c.callbackHours,
      c.resends,
    ],
  );
  await recordAudit(db, {
    actor,
    action: 'fulfilment.connector.save',
    target: `system:${c.systemId}`,
    details: { kind: 'http', host: new URL(c.url).host, timeoutMs: c.timeoutMs, resends: c.resends },
  });
  return { systemId: c.systemId, secret };
}

export async function loadHttpConnector(
  db: Db,
  ring: Keyring | undefined,
  systemId: string,
): Promise<StoredHttpConnector | undefined> {
  const [r] = await db.query<{
    url: string;
    secret_sealed: string;
    timeout_ms: number;
    callback_hours: number;
    resends: number;
  }>(
    'SELECT url, secret_sealed, timeout_ms, callback_hours, resends FROM fulfilment_http_connectors WHERE system_id = $1',
    [systemId],
  );
  if (!r) return undefined;
  if (!ring)
    throw new ServiceError(`${systemId}: an HTTP connector is configured but no OMBUD_SECRET_KEYS`, false);
  return {
    systemId,
    url: r.url,
    secret: open(ring, r.secret_sealed, connectorContext(systemId)),
    timeoutMs: r.timeout_ms,
    callbackHours: r.callback_hours,
    resends: r.resends,
  };
}
