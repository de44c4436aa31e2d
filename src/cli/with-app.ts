import { type App, openApp } from '../app.ts';
import { loadConfig } from '../config.ts';

/** Open the configured database for one command, and close it afterwards. */
export async function withApp<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(loadConfig());
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
