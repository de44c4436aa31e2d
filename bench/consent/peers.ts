/**
 * Sizes of the cookie banner peers' shipped dist files, gzip -9 (zlib level 9), measured from node_modules.
 * Shared by the size bench and the size test.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export type SizeRow = {
  name: string;
  files: string;
  /** Gzipped JS bytes (for bundles with inlined CSS this includes the CSS). */
  jsGz: number;
  /** Gzipped separate CSS bytes; 0 when the CSS is inlined in the JS or there is none. */
  cssGz: number;
  css: 'separate' | 'inlined' | 'none';
  totalGz: number;
  note?: string;
};

export const gz = (data: string | Uint8Array): number => gzipSync(data, { level: 9 }).length;

const modules = new URL('../../node_modules/', import.meta.url);
const read = (pkg: string, file: string) => readFileSync(new URL(`${pkg}/${file}`, modules));
const version = (pkg: string): string => JSON.parse(read(pkg, 'package.json').toString('utf8')).version;

type Peer = {
  pkg: string;
  version: string;
  js: string[];
  css: string[];
  cssInlined?: boolean;
  note?: string;
};

export const peers: Peer[] = [
  {
    pkg: 'vanilla-cookieconsent',
    version: '3.1.0',
    js: ['dist/cookieconsent.umd.js'],
    css: ['dist/cookieconsent.css'],
  },
  {
    pkg: 'klaro',
    version: '0.7.22',
    js: ['dist/klaro.js'],
    css: [],
    cssInlined: true,
    note: 'full build: CSS and translations inlined in the JS',
  },
  {
    pkg: 'c15t',
    version: '2.2.1',
    js: ['dist/index.js'],
    css: [],
    note: 'headless core only (no UI, no CSS); ESM as shipped, not minified; its imports (@c15t/schema, @c15t/translations, zustand) not counted',
  },
];

export function measurePeer(p: Peer): SizeRow {
  const found = version(p.pkg);
  if (found !== p.version) throw new Error(`${p.pkg}: expected ${p.version}, found ${found} in node_modules`);
  const jsGz = p.js.reduce((n, f) => n + gz(read(p.pkg, f)), 0);
  const cssGz = p.css.reduce((n, f) => n + gz(read(p.pkg, f)), 0);
  return {
    name: `${p.pkg} ${p.version}`,
    files: [...p.js, ...p.css].join(' + '),
    jsGz,
    cssGz,
    css: p.css.length ? 'separate' : p.cssInlined ? 'inlined' : 'none',
    totalGz: jsGz + cssGz,
    note: p.note,
  };
}

export const measurePeers = (): SizeRow[] => peers.map(measurePeer);
