/**
 * Logs (issue 18 part 4): a mail the SMTP server refuses, with a reply that quotes the address, is logged by
 * outbox id, request id and the SMTP code only; the process logger writes JSON lines, or one readable line per
 * entry on a terminal (a request as method, route pattern, status and time); `ombud start` on a terminal
 * prints its URLs as one readable block, with no JSON line in or around it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, test } from 'vitest';
import { createLogger, prettyLine } from '../../src/log.ts';
import { buildServer } from '../../src/http/server.ts';
import { jsonApi } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describe('a mail the SMTP server refuses', () => {
  let t: TestServer;
  let smtp: SMTPServer;
  const lines: string[] = [];
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  });

  test('is logged by outbox id, request id and SMTP code; the address and the reply text are not', async () => {
    // A mail server whose refusal quotes the address, as real ones do.
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, cb) {
        cb(Object.assign(new Error(`<${address.address}>: mailbox unavailable`), { responseCode: 550 }));
      },
    });
    const port = await freePort();
    await new Promise<void>((r) => smtp.listen(port, '127.0.0.1', () => r()));
    t = await startTestServer({
      logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } },
      config: { smtpUrl: `smtp://127.0.0.1:${port}` },
    });
    const api = jsonApi(() => ({
      server: t.server,
      origin: { cookie: t.cookie, origin: 'http://localhost', host: 'localhost' },
    }));
    const email = 'refused.address@example.org';
    const res = await api(
      'POST',
      '/api/v1/requests',
      { company: 'provendo', type: 'access', email, sendCode: true },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(res.statusCode).toBe(201);
    const requestId = res.json().requests[0].id as string;
    const [mail] = await t.app.db.query<{ id: string; status: string; last_error: string; attempts: number }>(
      'SELECT id, status, last_error, attempts FROM mail_outbox WHERE request_id = $1',
      [requestId],
    );
    expect(mail).toMatchObject({ status: 'pending', last_error: 'EENVELOPE', attempts: 1 });
    const logged = lines.map((l) => JSON.parse(l)).filter((e) => e.msg === 'mail not delivered: will retry');
    expect(logged).toHaveLength(1);
    const { level, time: _t, pid: _p, hostname: _h, reqId: _r, ...fields } = logged[0];
    expect(level).toBe(40);
    expect(fields).toEqual({
      msg: 'mail not delivered: will retry',
      mailId: mail!.id,
      requestId,
      template: 'verification-code',
      attempt: 1,
      errCode: 'EENVELOPE',
      responseCode: 550,
    });
    for (const l of lines) {
      expect(l).not.toContain(email);
      expect(l).not.toContain('mailbox unavailable');
    }
  }, 120_000);
});

describe('the process logger', () => {
  test('JSON lines in production: a request as its method, route pattern and status, never the raw URL', async () => {
    const lines: string[] = [];
    const t = await startTestServer({ logger: false });
    const server = await buildServer(t.app, {
      loggerInstance: createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) }),
    });
    try {
      await server.inject('/privacy/preferences/tok_SECRET-0123456789?email=x@example.org');
      const done = lines.map((l) => JSON.parse(l)).find((e) => e.msg === 'request completed');
      expect(done.res).toEqual({ statusCode: 404, method: 'GET', route: '/privacy/preferences/:token' });
      expect(lines.join('\n')).not.toContain('SECRET');
      expect(lines.join('\n')).not.toContain('example.org');
    } finally {
      await server.close();
      await t.close();
    }
  });

  test('one readable line per entry on a terminal: the request as it completed, fields as key=value', async () => {
    const lines: string[] = [];
    const t = await startTestServer({ logger: false });
    const logger = createLogger({ level: 'info', format: 'pretty', write: (l) => lines.push(l) });
    const server = await buildServer(t.app, { loggerInstance: logger });
    try {
      await server.inject('/healthz');
      logger.warn({ mailId: 'm-1', attempt: 2, errCode: 'EENVELOPE' }, 'mail not delivered: will retry');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}INFO {3}GET \/healthz 200 \d+\.\d ms {2}reqId=req-1\n$/);
      expect(lines[1]).toMatch(
        /^\d\d:\d\d:\d\d {2}WARN {3}mail not delivered: will retry {2}mailId=m-1 {2}attempt=2 {2}errCode=EENVELOPE\n$/,
      );
      // Fastify's "incoming request" is left out: the completed line says it all.
      expect(prettyLine('{"level":30,"time":0,"msg":"incoming request","req":{"method":"GET"}}')).toBe('');
    } finally {
      await server.close();
      await t.close();
    }
  });
});

describe('ombud start on a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ombud-start-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('prints its URLs as one readable block, no JSON line anywhere; requests are logged one line each', async () => {
    const port = await freePort();
    let out = '';
    child = spawn('script', ['-qfec', `${process.execPath} bin/ombud.mjs start --no-demo`, '/dev/null'], {
      env: {
        ...process.env,
        OMBUD_DATA_DIR: dir,
        PORT: String(port),
        OMBUD_MAIL_CATCHER_PORT: '0',
        OMBUD_SECRET_KEYS: '',
        OMBUD_LOG_FORMAT: '',
        DATABASE_URL: '',
        LOG_LEVEL: 'info',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const until = async (pred: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end || child!.exitCode !== null) throw new Error(`not seen; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await until(() => /caught mail: \S+\/console\/inbox\)/.test(out), 150_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await until(() => /GET \/healthz 200/.test(out), 20_000);
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('close', r));
    child = undefined;

    const lines = out.replace(/\r/g, '').split('\n');
    expect(lines.filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    expect(lines).toContain(
      `Data keyring created in ${join(dir, 'secret-keys.key')} (no OMBUD_SECRET_KEYS): it seals TOTP seeds, connector secrets and stored identities. Keep it, and back it up apart from the database; without it they cannot be opened.`,
    );
    // The block: a blank line, the URLs each on their own line, a blank line; nothing in between.
    const first = lines.indexOf(`  Privacy center   http://127.0.0.1:${port}/privacy`);
    expect(first).toBeGreaterThan(0);
    expect(lines[first - 1]).toBe('');
    const block = lines.slice(first, lines.indexOf('', first));
    expect(block.map((l) => l.slice(0, 19))).toEqual([
      '  Privacy center   ',
      '  Admin console    ',
      '  API docs         ',
      '  Health           ',
      '  Mail (SMTP)      ',
    ]);
    expect(block[3]).toBe(
      `  Health           http://127.0.0.1:${port}/healthz   (ready: http://127.0.0.1:${port}/readyz, metrics: http://127.0.0.1:${port}/metrics)`,
    );
    expect(
      lines.some((l) => /^\d\d:\d\d:\d\d {2}INFO {3}GET \/healthz 200 [\d.]+ ms {2}reqId=/.test(l)),
    ).toBe(true);
  }, 200_000);
});
