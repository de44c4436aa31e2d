/**
 * GET /metrics in the Prometheus text format (prom-client), for monitoring (docs/monitoring.md):
 *
 * - HTTP: request count and latency per method, route pattern (never the raw URL: paths and queries can
 *   carry tokens) and status class, counted by a hook on every answer.
 * - From the database, gathered on scrape and cached for `FIGURES_TTL_MS` so a scrape is cheap
 *   (src/services/monitoring/figures.ts): the pg-boss queues, the requests by state and against their
 *   due dates, webhook deliveries, retention runs and tasks, the audit chain's last verification.
 * - The process (CPU, memory, event loop, GC: prom-client's defaults, once per process).
 *
 * Who may scrape: with OMBUD_METRICS_TOKEN set, a request bearing it (`Authorization: Bearer <token>`);
 * sessions and API keys do not open it. Without the token, only a request from the loopback interface
 * that no proxy forwarded (no X-Forwarded-For, Forwarded or X-Real-IP header): behind a reverse proxy
 * on the same machine every request comes from loopback, so forwarded ones are refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { forbidden, unauthenticated } from '../core/errors.ts';
import { errorFields, type Log } from '../log.ts';
import { type Figures, type FiguresHost, gatherFigures } from '../services/monitoring/figures.ts';

/** How long the database figures of one scrape are reused. */
export const FIGURES_TTL_MS = 5000;

let processRegistry: Registry | undefined;
/** The process's own series, registered once however many servers a process builds (the tests build many). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const isLoopback = (address: string | undefined) =>
  !!address && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The gate of /metrics (see the module's comment): throws 401 or 403 problems. */
export function assertMayScrape(req: FastifyRequest, token: string | undefined): void {
  if (token) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]!), digest(token)))
      throw unauthenticated('Send the metrics token (OMBUD_METRICS_TOKEN) as Authorization: Bearer <token>.');
    return;
  }
  const forwarded = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((h) => req.headers[h] !== undefined);
  if (forwarded || !isLoopback(req.socket.remoteAddress))
    throw forbidden(
      'Metrics are served only to this machine (loopback, not through a proxy) while OMBUD_METRICS_TOKEN is not set. Set it and scrape with Authorization: Bearer <token>.',
    );
}

type Series = ReturnType<typeof seriesIn>;

/** Every series Ombud reports, in `registry`. */
function seriesIn(registry: Registry) {
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers });
  return {
    httpRequests: new Counter({
      name: 'ombud_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status_class'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'ombud_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    collected: gauge(
      'ombud_metrics_collect_success',
      '1 when the database figures below were read, 0 when not.',
    ),
    queueJobs: gauge('ombud_queue_jobs', 'Background jobs (pg-boss) per queue and state.', [
      'queue',
      'state',
    ]),
    requests: gauge('ombud_requests', 'Data subject requests per company and state.', [
      'organization',
      'state',
    ]),
    openRequests: gauge(
      'ombud_requests_open',
      'Open data subject requests per company, by where they stand against their due date (on-track, due-soon, overdue, awaiting-payment).',
      ['organization', 'due'],
    ),
    deliveries: gauge(
      'ombud_webhook_deliveries',
      'Consent webhook deliveries per company and status (pending, delivered, dead).',
      ['organization', 'status'],
    ),
    failing: gauge(
      'ombud_webhook_deliveries_failing',
      'Pending consent webhook deliveries whose last attempt failed (being retried).',
      ['organization'],
    ),
    oldestPending: gauge(
      'ombud_webhook_oldest_pending_seconds',
      'How long the oldest pending webhook delivery has waited (0: none pending).',
    ),
    ...retentionSeries(gauge),
    verifiedAt: gauge(
      'ombud_audit_last_verification_timestamp_seconds',
      'When the audit chain was last verified (ombud audit verify, the API, or the daily checkpoint).',
    ),
    verifiedOk: gauge(
      'ombud_audit_last_verification_ok',
      '1 when the last verification of the audit chain passed.',
    ),
    checkpointAt: gauge(
      'ombud_audit_last_checkpoint_timestamp_seconds',
      'When the last signed checkpoint of the audit chain was made.',
    ),
  };
}

function retentionSeries(gauge: (name: string, help: string, labels?: string[]) => Gauge) {
  return {
    retentionLastRun: gauge(
      'ombud_retention_last_run_timestamp_seconds',
      'When the latest retention run (not a dry run) last changed.',
    ),
    retentionLastFailed: gauge('ombud_retention_last_run_failed', '1 when the latest retention run failed.'),
    retentionLastSuccess: gauge(
      'ombud_retention_last_success_timestamp_seconds',
      'When the latest successful retention run finished.',
    ),
    retentionRows: gauge(
      'ombud_retention_last_run_rows',
      'Rows of the latest successful retention run per system, rule and action (delete, anonymise, mask, erase-due, keep, held, blocked).',
      ['system', 'rule', 'action'],
    ),
    retentionFailures: gauge(
      'ombud_retention_last_run_failures',
      "Failed parts of the latest retention run per system and rule (rule '*': the system's whole database step).",
      ['system', 'rule'],
    ),
    tasksOpen: gauge('ombud_retention_tasks_open', 'Open manual retention tasks.'),
    tasksOverdue: gauge('ombud_retention_tasks_overdue', 'Open manual retention tasks past their due day.'),
  };
}

const seconds = (d: Date) => d.getTime() / 1000;

/** The database figures into their series (every series reset first: a row gone is a series gone). */
function setFigures(s: Series, f: Figures): void {
  for (const q of f.queues) s.queueJobs.set({ queue: q.queue, state: q.state }, q.jobs);
  for (const r of f.requests) s.requests.set({ organization: r.organization, state: r.state }, r.count);
  for (const r of f.openRequests) s.openRequests.set({ organization: r.organization, due: r.due }, r.count);
  for (const d of f.webhooks.deliveries)
    s.deliveries.set({ organization: d.organization, status: d.status }, d.count);
  for (const d of f.webhooks.failing) s.failing.set({ organization: d.organization }, d.count);
  s.oldestPending.set(f.webhooks.oldestPendingSeconds);
  const r = f.retention;
  if (r.lastRun) {
    s.retentionLastRun.set(seconds(r.lastRun.at));
    s.retentionLastFailed.set(r.lastRun.failed ? 1 : 0);
  }
  if (r.lastSuccessAt) s.retentionLastSuccess.set(seconds(r.lastSuccessAt));
  for (const x of r.rows) s.retentionRows.set({ system: x.system, rule: x.rule, action: x.action }, x.rows);
  for (const x of r.failures) s.retentionFailures.set({ system: x.system, rule: x.rule }, x.count);
  s.tasksOpen.set(r.tasksOpen);
  s.tasksOverdue.set(r.tasksOverdue);
  if (f.audit.lastVerification) {
    s.verifiedAt.set(seconds(f.audit.lastVerification.at));
    s.verifiedOk.set(f.audit.lastVerification.ok ? 1 : 0);
  }
  if (f.audit.lastCheckpointAt) s.checkpointAt.set(seconds(f.audit.lastCheckpointAt));
}

/** The figures of the last `ttlMs`, or fresh ones; scrapes that arrive together share one read. */
function cachedFigures(load: () => Promise<Figures>, ttlMs: number) {
  let kept: { at: number; figures: Promise<Figures> } | undefined;
  return () => {
    const now = performance.now();
    if (!kept || now - kept.at > ttlMs) {
      const figures = load();
      kept = { at: now, figures };
      // A failed read is not kept: the next scrape tries again.
      figures.catch(() => {
        if (kept?.figures === figures) kept = undefined;
      });
    }
    return kept.figures;
  };
}

/**
 * The HTTP series' hook (on every answer, so added before the routes) and the /metrics route. `host` is the
 * App the figures are read with; `log` where a failed read is logged (its kind only).
 */
export function addMetrics(
  server: FastifyInstance,
  host: FiguresHost & { config: { metricsToken?: string } },
  log: Log,
  opts: { figuresTtlMs?: number } = {},
): void {
  const registry = new Registry();
  const series = seriesIn(registry);
  const scrape = Registry.merge([processMetrics(), registry]);
  // The labelled series of each method, route and status class, kept: prom-client hashes the labels on
  // every inc/observe otherwise, on every answer (routes are patterns, so there are a few hundred at most).
  const children = new Map<
    string,
    {
      requests: ReturnType<typeof series.httpRequests.labels>;
      duration: ReturnType<typeof series.httpDuration.labels>;
    }
  >();
  server.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const statusClass = `${Math.floor(reply.statusCode / 100)}xx`;
    const key = `${req.method} ${statusClass} ${route}`;
    let child = children.get(key);
    if (!child) {
      const labels = { method: req.method, route, status_class: statusClass };
      child = { requests: series.httpRequests.labels(labels), duration: series.httpDuration.labels(labels) };
      if (children.size < 10_000) children.set(key, child);
    }
    child.requests.inc();
    child.duration.observe(reply.elapsedTime / 1000);
    done();
  });
  const figures = cachedFigures(() => gatherFigures(host), opts.figuresTtlMs ?? FIGURES_TTL_MS);
  server.get(
    '/metrics',
    {
      config: { permission: 'public' },
      schema: { hide: true },
      onRequest: async (req, reply) => {
        try {
          assertMayScrape(req, host.config.metricsToken);
        } catch (err) {
          if (host.config.metricsToken) reply.header('www-authenticate', 'Bearer realm="ombud-metrics"');
          throw err;
        }
      },
    },
    async (_req, reply) => {
      for (const g of Object.values(series)) if (g instanceof Gauge) g.reset();
      try {
        setFigures(series, await figures());
        series.collected.set(1);
      } catch (err) {
        log.warn(errorFields(err), 'metrics: the database figures could not be read');
        series.collected.set(0);
      }
      return reply
        .header('cache-control', 'no-store')
        .type(scrape.contentType)
        .send(await scrape.metrics());
    },
  );
}
