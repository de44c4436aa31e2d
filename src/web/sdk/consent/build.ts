/**
 * Builds the cookie banner bundle served at `GET /sdk/consent.js` (after `window.OmbudConsentConfig=<json>;`).
 * esbuild: bundle, minify, es2019, iife, with banner.css inlined as a minified string. Cached in memory.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

let cached: Promise<{ js: string }> | undefined;

/** The minified CSS that the bundle injects (one <style>). */
export async function buildConsentCss(): Promise<string> {
  const css = await readFile(here('./banner.css'), 'utf8');
  const out = await transform(css, {
    loader: 'css',
    minify: true,
    target: ['chrome80', 'firefox78', 'safari14'],
  });
  return out.code.trim();
}

async function buildUncached(): Promise<{ js: string }> {
  const css = await buildConsentCss();
  const result = await build({
    entryPoints: [here('./banner.ts')],
    bundle: true,
    minify: true,
    target: 'es2019',
    format: 'iife',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    define: { __OMBUD_CSS__: JSON.stringify(css) },
    logLevel: 'silent',
  });
  return { js: result.outputFiles[0].text.trim() };
}

/** The browser bundle of the cookie banner; built once per process. */
export async function buildConsentBundle(): Promise<{ js: string }> {
  cached ??= buildUncached().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
