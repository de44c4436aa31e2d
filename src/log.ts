/**
 * The logger services are given: three levels, and fields that are ids, codes and counts only (never a
 * message of an error, an address or a value: driver messages can quote personal data). The server's
 * pino logger is one (`server.log`; `ombud start` makes it with `createLogger` and shares it with the
 * workers); `silentLog` is the default of the CLI and the tests.
 */
import pino, { type Logger } from 'pino';

export type LogFields = Record<string, string | number | boolean | undefined>;

export type Log = {
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
};

export const silentLog: Log = Object.freeze({ info() {}, warn() {}, error() {} });

/** An error's kind for a log line: its name and code, never its message. */
export function errorFields(err: unknown): LogFields {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  return {
    errName: typeof e?.name === 'string' ? e.name : undefined,
    errCode: typeof e?.code === 'string' && /^[\w.-]{1,40}$/.test(e.code) ? e.code : undefined,
  };
}

/**
 * A pg-boss `error` event for a log line: the error's kind, and the queue and worker it came from (pg-boss
 * passes a copy of the error with `queue` and `worker` added; its message can quote a job's data).
 */
export function queueErrorFields(err: unknown): LogFields {
  const e = err as { queue?: unknown; worker?: unknown } | undefined;
  const id = (v: unknown) => (typeof v === 'string' && /^[\w.:-]{1,80}$/.test(v) ? v : undefined);
  return { ...errorFields(err), queue: id(e?.queue), worker: id(e?.worker) };
}

/** How the process logs: one JSON object per line (production), or one readable line per entry (a terminal). */
export type LogFormat = 'json' | 'pretty';

/** OMBUD_LOG_FORMAT when set; else pretty on a terminal and JSON everywhere else (a pipe, a file, a container). */
export function logFormatOf(setting: LogFormat | undefined, tty = process.stdout.isTTY === true): LogFormat {
  return setting ?? (tty ? 'pretty' : 'json');
}

type RequestLike = { method?: string; id?: string; routeOptions?: { url?: string } };

/**
 * What an HTTP request and its answer put in a log line: the method and the route pattern, never the raw
 * URL (paths and query strings can carry tokens or identifiers), the request id and the status.
 */
export const httpLogSerializers = {
  req: (req: RequestLike) => ({
    method: req.method,
    route: req.routeOptions?.url ?? 'unmatched',
    reqId: req.id,
  }),
  res: (res: { statusCode?: number; request?: RequestLike }) => ({
    statusCode: res.statusCode,
    method: res.request?.method,
    route: res.request ? (res.request.routeOptions?.url ?? 'unmatched') : undefined,
  }),
};
export const HTTP_LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie'];

/**
 * The process's logger (pino), shared by the HTTP server (Fastify's `loggerInstance`) and the workers:
 * JSON lines, or with `format: 'pretty'` one short line per entry (`12:00:01 INFO  msg  key=value`). The
 * fields are what the callers give (ids, codes and counts, see `Log`); errors are never serialized whole.
 */
export function createLogger(opts: {
  level: string;
  format: LogFormat;
  /** Where lines go (default stdout). */
  write?: (line: string) => void;
}): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const options = { level: opts.level, serializers: httpLogSerializers, redact: HTTP_LOG_REDACT };
  if (opts.format === 'json') return pino(options, { write });
  return pino(options, {
    write: (json: string) => {
      const line = prettyLine(json);
      if (line) write(`${line}\n`);
    },
  });
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * One pino JSON line as a person reads it at a terminal; '' to leave it out (Fastify's "incoming request":
 * the "request completed" line that follows names the route, its status and time).
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    // Not pino's JSON (never expected): shown as it came rather than lost.
    return json.trimEnd();
  }
  const { level, time, msg, pid: _pid, hostname: _host, req, res, responseTime, ...rest } = entry;
  if (msg === 'incoming request') return '';
  const at = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  const head = [at, LEVELS[level as number] ?? String(level)];
  const r = res as { statusCode?: number; method?: string; route?: string } | undefined;
  if (msg === 'request completed' && r) {
    const ms = typeof responseTime === 'number' ? ` ${responseTime.toFixed(1)} ms` : '';
    head.push(`${r.method ?? ''} ${r.route ?? ''} ${r.statusCode ?? ''}${ms}`.trim());
  } else head.push(String(msg ?? ''));
  const fields = { ...(req as object | undefined), ...rest };
  const tail = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return [...head, ...tail].join('  ');
}
