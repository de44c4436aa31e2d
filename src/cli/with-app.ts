import { type App, openApp } from '../app.ts';
import { loadConfig } from '../config.ts';

/**
 * Open the configured database for one command, and close it afterwards. `auditKeys: 'load'` for commands
 * that only verify (they never create an audit key file).
 */
export async function withApp<T>(
  fn: (app: App) => Promise<T>,
  opts: { auditKeys?: 'create' | 'load' } = {},
): Promise<T> {
  const app = await openApp(loadConfig(), opts);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
