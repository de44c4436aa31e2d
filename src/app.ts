/**
 * The running application's parts, built once and handed to the HTTP server, the CLI
 * commands and the workers. Everything that does I/O hangs off this object.
 */
import type { Config } from './config.ts';
import type { Db } from './storage/db.ts';
import { openDatabase } from './storage/open.ts';
import { RegisterCache } from './services/register/currentRegister.ts';

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

export async function openApp(config: Config): Promise<App> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  return createApp(db, config);
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
