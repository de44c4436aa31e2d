/**
 * A real Ombud server for tests: a fresh database (PGlite or the PostgreSQL server), the demo
 * group loaded, an administrator signed in. Use `server.inject` or `listen` for a browser.
 */
import type { FastifyInstance } from 'fastify';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { freshDb } from './db.ts';

export const TEST_ADMIN = { email: 'dpo@nestit.example', password: 'correct horse battery staple' };

export type TestServer = { app: App; server: FastifyInstance; cookie: string; close: () => Promise<void> };

export async function startTestServer(
  opts: { kind?: 'pglite' | 'postgres'; demo?: boolean; now?: () => Date; logger?: boolean | object } = {},
): Promise<TestServer> {
  const db = await freshDb(opts.kind ?? 'pglite');
  const app = createApp(db, loadConfig({ LOG_LEVEL: 'silent', OMBUD_DEMO_PASSWORD: undefined }), opts.now);
  process.env.OMBUD_DEMO_PASSWORD = TEST_ADMIN.password;
  if (opts.demo !== false) await loadDemo(app);
  const server = await buildServer(app, { logger: opts.logger ?? false });
  let cookie = '';
  if (opts.demo !== false) {
    const res = await server.inject({
      method: 'POST',
      url: '/console/login',
      payload: { email: TEST_ADMIN.email, password: TEST_ADMIN.password },
      headers: { 'content-type': 'application/json' },
    });
    const set = res.headers['set-cookie'];
    cookie = String(Array.isArray(set) ? set[0] : set).split(';')[0]!;
  }
  return {
    app,
    server,
    cookie,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}
