/**
 * The running application's parts, built once and handed to the HTTP server, the CLI commands and the
 * workers: read-only (a changed setting makes a new App, `withConfig`). The background workers are not
 * part of it: they live in `Workers` (src/workers.ts), made by the start command.
 */
import { type Config, freezeConfig } from './config.ts';
import { type Log, silentLog } from './log.ts';
import { installationSecret } from './services/consent/keys.ts';
import { sealPlainIdentities } from './services/secrets/sealIdentities.ts';
import type { Db } from './storage/db.ts';
import { openDatabase } from './storage/open.ts';
import { RegisterCache } from './services/register/currentRegister.ts';
import { installAuditChainKeys, loadAuditChainKeys } from './services/audit/keys.ts';
import { loadDataKeyring } from './services/secrets/keyringFile.ts';
import { type AuditTrust, auditTrustOf } from './services/audit/checkpoints.ts';

export type App = Readonly<{
  db: Db;
  /** Frozen; the installation secret is resolved in it before the App is built (`openApp`). */
  config: Config;
  registers: RegisterCache;
  /** The clock; tests replace it. */
  now: () => Date;
  /** Where services log (ids and codes only): the server's logger, or silent. */
  log: Log;
  close: () => Promise<void>;
  /**
   * Where audit checkpoints are signed, exported and verified (src/services/audit/checkpoints.ts). Set by
   * `openApp`; without it checkpoints cannot be made and verification runs without one.
   */
  auditTrust?: AuditTrust;
  /** The audit chain key file `openApp` created (first start without OMBUD_SECRET_KEYS), to tell the operator. */
  auditKeyCreated?: string;
  /** The data keyring file `openApp` created (embedded, first start without OMBUD_SECRET_KEYS), to tell the operator. */
  dataKeysCreated?: string;
}>;

/** The App of a database and a (loaded, frozen) config; read-only by its type. */
export function createApp(
  db: Db,
  config: Config,
  now: () => Date = () => new Date(),
  parts: { log?: Log; auditTrust?: AuditTrust; auditKeyCreated?: string; dataKeysCreated?: string } = {},
): App {
  return {
    db,
    config,
    registers: new RegisterCache(db, config.registerCacheTtlMs ?? 0),
    now,
    log: parts.log ?? silentLog,
    close: () => db.close(),
    auditTrust: parts.auditTrust,
    auditKeyCreated: parts.auditKeyCreated,
    dataKeysCreated: parts.dataKeysCreated,
  };
}

/** The same App (database, register cache, clock) with some settings changed: a new App, a new frozen Config. */
export function withConfig(app: App, change: Partial<Config>): App {
  return { ...app, config: freezeConfig({ ...app.config, ...change }) };
}

/** The same App logging to `log` (the server's logger once the server is built). */
export function withLog(app: App, log: Log): App {
  return { ...app, log };
}

/**
 * Open the configured database. The audit chain keys are loaded (and installed for the process) first:
 * with `auditKeys: 'create'` (the default) a key file is made in the data directory when no key is
 * configured; 'load' (verification) never creates one and may run without a key. Without OMBUD_SECRET the
 * installation secret (stored in the database, the one consent derives its keys from) is the config's
 * secret, resolved here once. The data keyring (secrets at rest, TOTP) is resolved here too: on the
 * embedded database without OMBUD_SECRET_KEYS a keyring file in the data directory (created like the
 * audit key, src/services/secrets/keyringFile.ts), so TOTP works on every install.
 */
export async function openApp(
  config: Config,
  opts: { auditKeys?: 'create' | 'load'; log?: Log } = {},
): Promise<App> {
  const create = (opts.auditKeys ?? 'create') === 'create';
  const chain = loadAuditChainKeys(config, { create });
  installAuditChainKeys(chain.keys);
  // After the audit keys: those derive from OMBUD_SECRET_KEYS alone, never from the data keyring file.
  const data = loadDataKeyring(config, { create });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const secret = config.secret ?? (await installationSecret(db));
  // Identities stored before they were sealed (an upgrade): sealed now, their plain values removed.
  await sealPlainIdentities(db, { secret, secretKeys: data.secretKeys });
  return createApp(db, freezeConfig({ ...config, secret, secretKeys: data.secretKeys }), undefined, {
    log: opts.log,
    auditTrust: auditTrustOf(config, { createKeys: create }),
    auditKeyCreated: chain.created,
    dataKeysCreated: data.created,
  });
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
