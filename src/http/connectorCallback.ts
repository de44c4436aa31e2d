/**
 * A connected service's signed answer (docs/connectors/http.md), shared by the fulfilment and retention
 * callback routes: the raw body is verified with the connector's own secret (Standard Webhooks; the
 * signature is the authentication of these public routes), a rejection is audited, and the JSON is checked
 * against the contract with field paths.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { App } from '../app.ts';
import { notFound, unauthenticated, validationError } from '../core/errors.ts';
import { verifyWebhook } from '../core/fulfilment/signature.ts';
import { parseKeyring } from '../core/secrets/envelope.ts';
import { type AuditEntry, recordAudit } from '../services/audit/auditLog.ts';
import { loadHttpConnector } from '../services/fulfilment/connectors/http.ts';
import type { RouteServer } from './routeServer.ts';

/** Routes registered in `fn` get the JSON body as the raw string (the signature covers the bytes). */
export async function rawJsonRoutes(
  server: RouteServer,
  bodyLimit: number,
  fn: (s: RouteServer) => void,
): Promise<void> {
  await server.register(async (s: RouteServer) => {
    s.removeContentTypeParser('application/json');
    s.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_r, body, done) =>
      done(null, body),
    );
    fn(s);
  });
}

export async function verifiedAnswer<T>(
  app: App,
  req: { headers: IncomingHttpHeaders; body: unknown },
  call: {
    deliveryId: string;
    /** The system that was asked; undefined: no such delivery (404). */
    system: string | undefined;
    /** The audit entry of a rejected signature (the reason is added to its details). */
    rejected: Omit<AuditEntry, 'details'> & { details: Record<string, unknown> };
    schema: z.ZodType<T>;
    hint: string;
  },
): Promise<T> {
  const raw = typeof req.body === 'string' ? req.body : '';
  const cfg =
    call.system &&
    (await loadHttpConnector(
      app.db,
      app.config.secretKeys ? parseKeyring(app.config.secretKeys) : undefined,
      call.system,
    ));
  if (!cfg) throw notFound('delivery', call.deliveryId);
  const v = verifyWebhook(cfg.secret, req.headers, raw, app.now());
  if (!v.ok) {
    await recordAudit(app.db, { ...call.rejected, details: { ...call.rejected.details, reason: v.reason } });
    throw unauthenticated(
      v.reason === 'stale'
        ? 'The webhook-timestamp is more than 5 minutes off: sign the callback when sending it.'
        : "The callback is not signed with this connector's secret: send webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 over id.timestamp.body).",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw validationError('invalid-json', 'The callback body is not JSON.', [
      { path: ['body'], message: 'send the answer as JSON' },
    ]);
  }
  const parsed = call.schema.safeParse(json);
  if (!parsed.success)
    throw validationError(
      'invalid-answer',
      'The callback does not follow the contract.',
      parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      call.hint,
    );
  return parsed.data;
}
