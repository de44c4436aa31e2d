/**
 * `npm run lint:openapi [-- out.json]`: builds the server in-process (an empty embedded database: the document
 * depends on the routes, not on data), writes the document it serves at /api/openapi.json to a temporary file
 * (or to out.json, kept), and lints it with Redocly's recommended rules (redocly.yaml). Any error fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { buildServer } from '../src/http/server.ts';
import { migrate } from '../src/storage/migrate.ts';
import { openPglite } from '../src/storage/pglite.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function servedDocument(): Promise<string> {
  const db = await openPglite();
  await migrate(db);
  const app = createApp(db, loadConfig({ LOG_LEVEL: 'silent' }));
  const server = await buildServer(app, { logger: false });
  try {
    const res = await server.inject('/api/openapi.json');
    if (res.statusCode !== 200)
      throw new Error(`GET /api/openapi.json answered ${res.statusCode}: ${res.body}`);
    return `${JSON.stringify(res.json(), null, 2)}\n`;
  } finally {
    await server.close();
    await app.close();
  }
}

const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
const dir = out ? undefined : mkdtempSync(join(tmpdir(), 'ombud-openapi-'));
const file = out ?? join(dir!, 'openapi.json');
try {
  writeFileSync(file, await servedDocument());
  const lint = spawnSync(
    join(root, 'node_modules/.bin/redocly'),
    ['lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'stylish'],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  process.exitCode = lint.status ?? 1;
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
