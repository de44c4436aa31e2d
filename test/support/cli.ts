/** The CLI's input and output in memory, for running `main(args, io)` in a test. */
import type { CliIo } from '../../src/cli/io.ts';

/** An io whose standard input is `stdin`; what the command writes is in `out` and `err`. */
export function captureIo(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), readStdin: async () => stdin };
  return { io, out, err, text: () => out.join('\n'), errors: () => err.join('\n') };
}
