/** The CLI's input and output in memory, for running `main(args, io)` in a test; and `ombud` as a process. */
import { type SpawnOptions, spawn } from 'node:child_process';
import type { CliIo } from '../../src/cli/io.ts';

/** An io whose standard input is `stdin`; what the command writes is in `out`, `err` and `progress`. */
export function captureIo(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    progress: (t) => progress.push(t),
    readStdin: async () => stdin,
  };
  return { io, out, err, progress, text: () => out.join('\n'), errors: () => err.join('\n') };
}

export type OmbudRun = { code: number | null; stdout: string; stderr: string };

/**
 * `bin/ombud.mjs ARGS` as its own process (stdout and stderr are pipes, not a terminal), with `env` added
 * to this process's environment; `stdin` is written to it and closed.
 */
export function runOmbud(
  args: string[],
  opts: { env?: Record<string, string | undefined>; stdin?: string; timeoutMs?: number } = {},
): Promise<OmbudRun> {
  return spawnCollect(process.execPath, ['bin/ombud.mjs', ...args], opts);
}

/**
 * `bin/ombud.mjs ARGS` with a terminal as its stdout and stderr (util-linux `script` gives it a
 * pseudo-terminal): what a person at a terminal sees, both streams in one.
 */
export function runOmbudOnTerminal(
  args: string[],
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<OmbudRun> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, 'bin/ombud.mjs', ...args].map(quote).join(' ');
  return spawnCollect('script', ['-qfec', command, '/dev/null'], { ...opts, stdin: '' });
}

function spawnCollect(
  file: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; stdin?: string; timeoutMs?: number },
): Promise<OmbudRun> {
  const options: SpawnOptions = {
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? 60_000,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.end(opts.stdin ?? '');
  });
}
