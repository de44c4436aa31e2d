import { type App, openApp } from '../app.ts';
import { loadConfig } from '../config.ts';

/**
 * Open the configured database for one command, and close it afterwards. The audit keys: on the embedded
 * database a missing key file is created (as `ombud start` does); against a PostgreSQL server never — a
 * command run from another machine must use the server's keys (OMBUD_SECRET_KEYS, OMBUD_AUDIT_KEY_FILE),
 * not write entries under a key of its own. `auditKeys: 'load'` for commands that only verify.
 */
export async function withApp<T>(
  fn: (app: App) => Promise<T>,
  opts: { auditKeys?: 'create' | 'load' } = {},
): Promise<T> {
  const config = loadConfig();
  const app = await openApp(config, {
    auditKeys: opts.auditKeys ?? (config.databaseUrl ? 'load' : 'create'),
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
