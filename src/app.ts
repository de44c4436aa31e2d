/**
 * The running application's parts, built once and handed to the HTTP server, the CLI
 * commands and the workers. Everything that does I/O hangs off this object.
 */
import type { Config } from './config.ts';
import type { Db } from './storage/db.ts';
import { openDatabase } from './storage/open.ts';
import { RegisterCache } from './services/register/currentRegister.ts';
import { installAuditChainKeys, loadAuditChainKeys } from './services/audit/keys.ts';
import { type AuditTrust, auditTrustOf } from './services/audit/checkpoints.ts';

export type App = {
  db: Db;
  config: Config;
  registers: RegisterCache;
  /** The clock; tests replace it. */
  now: () => Date;
  close: () => Promise<void>;
  /** Called after a consent event is stored (propagation to subscribed systems hooks in here). */
  consentChanged?: (event: import('./core/consent/event.ts').ConsentEvent) => Promise<void>;
  /** The webhook delivery queue, when propagation runs (src/services/consent/propagator.ts). */
  propagator?: import('./services/consent/propagator.ts').Propagator;
  /** The fulfilment queue, when verified requests are carried out (src/services/requests/fulfilRequest.ts). */
  fulfilment?: import('./services/fulfilment/queue.ts').FulfilmentQueue;
  /** The daily retention run and the console's preview (src/services/retention/worker.ts). */
  retention?: import('./services/retention/worker.ts').RetentionWorker;
  /**
   * The group's own systems (annotated datasets and their connections) the subject locator searches to find
   * which companies know a requester (src/services/requests/locateSubject.ts). Set by the fulfilment worker's
   * start; without it a group request waits for an agent unless the consent register already decides it.
   */
  subjectSystems?: {
    datasets: import('./core/fulfilment/dataset.ts').Dataset[];
    connectors: import('./services/fulfilment/engine.ts').Connectors;
  };
  /**
   * Whether an agent approves an erasure, rectification or restriction before it runs (default true);
   * access and portability run on verification.
   */
  approveChanges?: boolean;
  /**
   * Where audit checkpoints are signed, exported and verified (src/services/audit/checkpoints.ts). Set by
   * `openApp`; without it checkpoints cannot be made and verification runs without one.
   */
  auditTrust?: AuditTrust;
  /** The audit chain key file `openApp` created (first start without OMBUD_SECRET_KEYS), to tell the operator. */
  auditKeyCreated?: string;
};

export function createApp(db: Db, config: Config, now: () => Date = () => new Date()): App {
  return {
    db,
    config,
    registers: new RegisterCache(db, config.registerCacheTtlMs ?? 0),
    now,
    close: () => db.close(),
  };
}

/**
 * Open the configured database. The audit chain keys are loaded (and installed for the process) first:
 * with `auditKeys: 'create'` (the default) a key file is made in the data directory when no key is
 * configured; 'load' (verification) never creates one and may run without a key.
 */
export async function openApp(config: Config, opts: { auditKeys?: 'create' | 'load' } = {}): Promise<App> {
  const create = (opts.auditKeys ?? 'create') === 'create';
  const chain = loadAuditChainKeys(config, { create });
  installAuditChainKeys(chain.keys);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const app = createApp(db, config);
  app.auditTrust = auditTrustOf(config, { createKeys: create });
  app.auditKeyCreated = chain.created;
  return app;
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(now: Date, timeZone = 'Europe/Stockholm'): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
