/**
 * The logger services are given: three levels, and fields that are ids, codes and counts only (never a
 * message of an error, an address or a value: driver messages can quote personal data). The server's
 * pino logger is one (`server.log`); `silentLog` is the default of the CLI and the tests.
 */
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

/** A log that writes one line per entry (`level msg key=value …`), e.g. to the CLI's stderr; `info` only when asked. */
export function lineLog(write: (line: string) => void, opts: { info?: boolean } = {}): Log {
  const line = (level: string) => (fields: LogFields, msg: string) =>
    write(
      [
        level,
        msg,
        ...Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])),
      ].join(' '),
    );
  return { info: opts.info ? line('info') : () => {}, warn: line('warn'), error: line('error') };
}
