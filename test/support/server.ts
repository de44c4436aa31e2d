/**
 * A real Ombud server for tests: a fresh database (PGlite or the PostgreSQL server), the demo
 * group loaded, an administrator signed in. Use `server.inject` or `listen` for a browser.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { FastifyInstance } from 'fastify';
import type { Dataset } from '../../src/core/fulfilment/dataset.ts';
import { type DemoSystems, openDemoSystems } from '../../src/demo/systems/embedded.ts';
import type { Connectors } from '../../src/services/fulfilment/engine.ts';
import {
  type RequestFulfilmentOptions,
  startRequestFulfilment,
} from '../../src/services/requests/fulfilRequest.ts';
import { type App, createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createWorkers, stopWorkers, type Workers } from '../../src/workers.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { observeContract } from './contract.ts';
import { freshDb } from './db.ts';
import { sessionCookie, signIn } from './http.ts';

export const TEST_ADMIN = { email: 'dpo@nestit.example', password: 'correct horse battery staple' };

/** Systems for the fulfilment worker: given, or 'embedded' (the demo systems as schemas of the test's PGlite). */
export type FulfilmentSystems = { datasets: Dataset[]; connectors: Connectors } | 'embedded';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type TestServer = {
  app: App;
  server: FastifyInstance;
  cookie: string;
  /**
   * The background workers, as the start command holds them (src/workers.ts): a test starts, stubs or
   * swaps a worker here, and the server's routes see it.
   */
  workers: Workers;
  /**
   * Change settings of the running test server (e.g. its public URL once it listens). Tests only: the App
   * and its Config are read-only everywhere else.
   */
  configure: (change: Partial<Config>) => void;
  /** Replace the clock or the audit trust of the running test server (tests only, as `configure`). */
  setApp: (change: Partial<Pick<App, 'now' | 'auditTrust'>>) => void;
  close: () => Promise<void>;
};

export async function startTestServer(
  opts: {
    kind?: 'pglite' | 'postgres';
    demo?: boolean;
    now?: () => Date;
    logger?: boolean | object;
    fulfilment?: FulfilmentSystems;
    /**
     * The worker's options. By default the own databases only (no recipients told, no PDF), as the
     * integration tests of the databases expect; test/requests/recipients.test.ts runs the full wiring.
     */
    fulfilmentOptions?: RequestFulfilmentOptions;
    /** Settings besides the defaults (LOG_LEVEL silent; with `fulfilment`, a test OMBUD_SECRET). */
    config?: Partial<Config>;
  } = {},
): Promise<TestServer> {
  const db = await freshDb(opts.kind ?? 'pglite');
  // An unfrozen copy, so `configure` can change the running server's settings (tests only).
  const config: Mutable<Config> = {
    ...loadConfig({ LOG_LEVEL: 'silent', OMBUD_DEMO_PASSWORD: undefined }),
    ...(opts.fulfilment ? { secret: 'test-secret-0123456789abcdef0123456789abcdef' } : {}),
    ...opts.config,
  };
  const app = createApp(db, config, opts.now);
  const workers = createWorkers();
  process.env.OMBUD_DEMO_PASSWORD = TEST_ADMIN.password;
  if (opts.demo !== false) await loadDemo(app);
  let demoSystems: DemoSystems | undefined;
  if (opts.fulfilment) {
    let systems = opts.fulfilment;
    if (systems === 'embedded') {
      const instance = (db as { instance?: PGlite }).instance;
      if (!instance) throw new Error("fulfilment: 'embedded' needs kind 'pglite'");
      demoSystems = await openDemoSystems({ embedded: instance, customers: 12 });
      systems = demoSystems;
    }
    await startRequestFulfilment(app, workers, systems, {
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
      retryLimit: 1,
      recipients: false,
      pdf: false,
      ...opts.fulfilmentOptions,
    });
  }
  // Every API response is checked against its declared schema (test/support/contract.ts).
  const server = await buildServer(app, { logger: opts.logger ?? false, workers, observe: observeContract });
  let cookie = '';
  if (opts.demo !== false) {
    cookie = sessionCookie(await signIn(server, TEST_ADMIN));
  }
  return {
    app,
    server,
    cookie,
    workers,
    configure: (change) => Object.assign(config, change),
    setApp: (change) => Object.assign(app as Mutable<App>, change),
    close: async () => {
      await server.close();
      await stopWorkers(workers);
      await demoSystems?.close();
      await app.close();
    },
  };
}
