/**
 * Banner size bench: Ombud's cookie banner bundle vs the peers' shipped dist files, gzip -9, in the same run.
 * Run: npx tsx bench/consent/banner-size.ts
 * Prints a markdown table, writes it to bench/consent/README.md under "Banner size", and exits non-zero when
 * Ombud is over budget (6 KB) or not smaller than the smallest peer.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildConsentBundle, buildConsentCss } from '../../src/web/sdk/consent/build.ts';
import { gz, measurePeers, type SizeRow } from './peers.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPglite } from '../../src/storage/pglite.ts';

/**
 * Bytes on the wire: the script as Ombud serves it with the demo register's Swedish configuration
 * (GET /sdk/consent.js?org=nestit-group&lang=sv, the versioned URL the loader points to is the same body),
 * and the loader, for each Accept-Encoding; the body only (headers excluded).
 */
async function onTheWire() {
  const db = await openPglite();
  installAuditChainKeys(chainKeysFrom(`bench:${'k'.repeat(43)}=`, 'bench'));
  await migrate(db);
  process.env.OMBUD_DEMO_PASSWORD = 'bench-password-1234';
  const app = createApp(
    db,
    loadConfig({ LOG_LEVEL: 'silent', OMBUD_PUBLIC_URL: 'https://privacy.nestit.example' }),
  );
  await loadDemo(app);
  const server = await buildServer(app, { logger: false });
  const out: { url: string; encoding: string; bytes: number; cacheControl: string }[] = [];
  for (const url of ['/sdk/consent.js?org=nestit-group&lang=sv', '/sdk/loader.js?org=nestit-group&lang=sv'])
    for (const encoding of ['br', 'gzip', 'identity']) {
      const r = await server.inject({ url, headers: { 'accept-encoding': encoding } });
      out.push({
        url,
        encoding: String(r.headers['content-encoding'] ?? 'identity'),
        bytes: r.rawPayload.length,
        cacheControl: String(r.headers['cache-control']),
      });
    }
  await server.close();
  await db.close();
  return out;
}
const wire = await onTheWire();

const BUDGET = 6144;
const COMMAND = 'npx tsx bench/consent/banner-size.ts';

const { js } = await buildConsentBundle();
const cssGz = gz(await buildConsentCss());
const ombud: SizeRow = {
  name: 'Ombud',
  files: 'build of src/web/sdk/consent/banner.ts (esbuild, minified, CSS inlined)',
  jsGz: gz(js),
  cssGz: 0,
  css: 'inlined',
  totalGz: gz(js),
  note: `CSS inlined in the JS (alone it would be ${cssGz} B gz); ${js.length} B raw`,
};
const rows = [ombud, ...measurePeers()];

const kb = (n: number) => `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KB)`;
const header = ['name', 'files', 'JS gz', 'CSS gz', 'total gz', 'ratio to Ombud'];
const right = [false, false, true, true, true, true];
const cells = rows.map((r) => [
  r.name,
  r.files,
  kb(r.jsGz),
  r.css === 'separate' ? kb(r.cssGz) : r.css === 'inlined' ? 'inlined in JS' : 'none',
  `**${kb(r.totalGz)}**`,
  `${(r.totalGz / ombud.totalGz).toFixed(1)}×`,
]);
// Aligned the way biome formats markdown tables, so the written README passes `biome check`.
const widths = header.map((h, i) => Math.max(3, h.length, ...cells.map((c) => c[i].length)));
const line = (c: string[]) =>
  `| ${c.map((v, i) => (right[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
const table = [
  line(header),
  `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`,
  ...cells.map(line),
].join('\n');
const notes = rows
  .filter((r) => r.note)
  .map((r) => `- ${r.name}: ${r.note}.`)
  .join('\n');

const smallest = rows.slice(1).reduce((a, b) => (b.totalGz < a.totalGz ? b : a));
const failures = [
  ombud.totalGz > BUDGET ? `Ombud is ${ombud.totalGz} B gz, over the ${BUDGET} B budget` : '',
  ombud.totalGz >= smallest.totalGz
    ? `Ombud (${ombud.totalGz} B) is not smaller than the smallest peer ${smallest.name} (${smallest.totalGz} B)`
    : '',
].filter(Boolean);

const date = new Date().toISOString().slice(0, 10);
const section = [
  '## Banner size',
  '',
  `Measured ${date} with \`${COMMAND}\` (Node ${process.version}). Sizes are gzip -9 (zlib level 9) of the`,
  'files a site would ship: the Ombud bundle built in the same run, and the peers’ dist files from node_modules.',
  `Budget for Ombud: ${BUDGET} B gz (JS + CSS); the bench fails when Ombud is over it or not smaller than the`,
  'smallest peer.',
  '',
  table,
  '',
  notes,
  '',
  `Smallest peer: ${smallest.name}, ${(smallest.totalGz / ombud.totalGz).toFixed(1)}× the size of Ombud.`,
  '',
  '### Bytes on the wire (Swedish configuration, as served)',
  '',
  'The body Ombud sends for each `Accept-Encoding` (precompressed once per content: brotli quality 11, gzip 9),',
  'with the demo register; the script is the configuration followed by the bundle.',
  '',
  '| URL | Accept-Encoding | bytes | Cache-Control |',
  '| --- | --- | ---: | --- |',
  ...wire.map(
    (w) => `| \`${w.url}\` | ${w.encoding} | ${w.bytes.toLocaleString('en-US')} B | ${w.cacheControl} |`,
  ),
  '',
  'The loader points to `/sdk/consent/nestit-group/sv/<content hash>.js`: the same bytes as the script, with',
  '`Cache-Control: public, max-age=31536000, immutable`.',
  '',
].join('\n');

const readme = fileURLToPath(new URL('./README.md', import.meta.url));
const before = existsSync(readme) ? readFileSync(readme, 'utf8') : '# Consent benchmarks\n';
const start = before.indexOf('## Banner size');
let after: string;
if (start < 0) after = `${before.trimEnd()}\n\n${section}`;
else {
  const next = before.indexOf('\n## ', start + 1);
  after = before.slice(0, start) + section + (next < 0 ? '' : `\n${before.slice(next + 1)}`);
}
writeFileSync(readme, after);

console.log(table);
console.log(`\n${notes}\n`);
console.table(wire);
if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exitCode = 1;
} else {
  console.log(
    `OK: Ombud ${ombud.totalGz} B gz ≤ ${BUDGET} B and smaller than ${smallest.name} (${smallest.totalGz} B).`,
  );
}
