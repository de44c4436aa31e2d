/** Where a command writes; tests pass their own to capture output. */
export type CliIo = {
  /** The result: text, or with --json one document (`printJson`). */
  out: (text: string) => void;
  /** Messages: warnings, errors, what was written where. */
  err: (text: string) => void;
  /**
   * Progress of long work, one line that replaces the previous one; '' clears it. Shown on stderr only
   * when stderr is a terminal: a pipe, a file or CI gets nothing.
   */
  progress: (text: string) => void;
  readStdin: () => Promise<string>;
};

/** The result as one JSON document: with --json, the only thing a command writes on stdout. */
export function printJson(io: CliIo, doc: unknown): void {
  io.out(JSON.stringify(doc, null, 2));
}

const CLEAR_LINE = '\r\x1b[2K';

export function processIo(
  streams: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process,
): CliIo {
  const tty = streams.stderr.isTTY === true;
  let shown = false;
  let lastAt = 0;
  // A progress line on the terminal is cleared before anything else is written, so it never mixes in.
  const clear = () => {
    if (!shown) return;
    streams.stderr.write(CLEAR_LINE);
    shown = false;
  };
  const line = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
  return {
    out: (t) => {
      clear();
      streams.stdout.write(line(t));
    },
    err: (t) => {
      clear();
      streams.stderr.write(line(t));
    },
    progress: (t) => {
      if (!tty) return;
      if (t === '') return clear();
      // At most ten updates a second: a terminal is not a log.
      const now = Date.now();
      if (shown && now - lastAt < 100) return;
      lastAt = now;
      const width = Math.max((streams.stderr.columns || 80) - 1, 20);
      streams.stderr.write(`${CLEAR_LINE}${t.length > width ? `${t.slice(0, width - 1)}…` : t}`);
      shown = true;
    },
    readStdin: async () => {
      if (process.stdin.isTTY) return '';
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
