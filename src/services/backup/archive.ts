/**
 * The backup archive of an embedded installation (`ombud backup`, `ombud restore`): a ZIP file with
 *
 * - `manifest.json`: what the archive is (format, version), when and by which Ombud it was made, the
 *   migrations the database had run, every table's row count, and the sha256 and size of every entry;
 * - `database.tar.gz`: the embedded database's data directory (PGlite's own dump);
 * - `files/<path>`: the other files of the data directory: the audit chain key, the checkpoint signing
 *   key, a data keyring, exported checkpoints, … (key files left out with --without-keys, and named in
 *   the manifest's `leftOut`).
 *
 * `readArchive` checks all of it and says what is wrong, for a file that is not a backup or is damaged.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, normalize } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { precondition } from '../../core/errors.ts';

export const ARCHIVE_FORMAT = 'ombud-backup';
export const ARCHIVE_VERSION = 1;
const DATABASE_ENTRY = 'database.tar.gz';

export type ArchiveEntry = { bytes: number; sha256: string };
export type ArchiveFile = ArchiveEntry & { path: string; mode: number; key: boolean };

export type Manifest = {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  createdAt: string;
  ombudVersion: string;
  pgliteVersion: string;
  /** The migrations the database had run (schema_migrations), in order. */
  migrations: string[];
  /** `schema.table` → rows, every table of the database. */
  tables: Record<string, number>;
  database: ArchiveEntry;
  files: ArchiveFile[];
  /** Key files of the data directory not in the archive (--without-keys). */
  leftOut: string[];
};

export type ArchiveContent = { manifest: Manifest; database: Uint8Array; files: Map<string, Uint8Array> };

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const entryOf = (b: Uint8Array): ArchiveEntry => ({ bytes: b.byteLength, sha256: sha256(b) });

/**
 * A file of the data directory that holds a key (a secret): `*.key`, and names with `key`/`keys`/`keyring`
 * as a word (`secret-keys`, `data-keyring.json`). Public keys (`*.pub`) and checkpoints are not secrets.
 */
export function isKeyFile(path: string): boolean {
  const name = path.split('/').pop()!;
  if (name.endsWith('.pub')) return false;
  return /\.key$/i.test(name) || /(^|[-_.])(keys?|keyring)([-_.]|$)/i.test(name);
}

export function writeArchive(content: ArchiveContent): Uint8Array {
  const entries: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {
    'manifest.json': strToU8(`${JSON.stringify(content.manifest, null, 2)}\n`),
    // Already gzipped: stored as it is.
    [DATABASE_ENTRY]: [content.database, { level: 0 }],
  };
  for (const [path, data] of content.files) entries[`files/${path}`] = data;
  return zipSync(entries, { level: 6 });
}

/** Unpack and check an archive; a clear error naming the file and what is wrong otherwise. */
export function readArchive(bytes: Uint8Array, fileName: string): ArchiveContent {
  const bad = (what: string, hint?: string) =>
    precondition(
      'backup-invalid',
      `${fileName} is not a usable Ombud backup: ${what}.`,
      hint ?? 'Give the file `ombud backup` wrote, as it was written (copied in binary mode, not cut short).',
    );
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw bad(
      bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b
        ? `the ZIP archive is damaged or cut short (${(err as Error).message})`
        : 'it is not a ZIP archive',
    );
  }
  const manifestBytes = entries['manifest.json'];
  if (!manifestBytes) throw bad('it has no manifest.json (a ZIP file, but not one `ombud backup` wrote)');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes)) as Manifest;
  } catch {
    throw bad('its manifest.json is not JSON');
  }
  if (manifest?.format !== ARCHIVE_FORMAT)
    throw bad(`its manifest.json is not an Ombud backup's (format ${JSON.stringify(manifest?.format)})`);
  if (manifest.version !== ARCHIVE_VERSION)
    throw bad(
      `it is in archive version ${JSON.stringify(manifest.version)}, this Ombud reads version ${ARCHIVE_VERSION}`,
      'Restore it with the Ombud version that made it, or a newer one.',
    );
  if (!manifest.database || !Array.isArray(manifest.files) || typeof manifest.tables !== 'object')
    throw bad('its manifest.json lacks the database, files or tables');
  const check = (name: string, expected: ArchiveEntry): Uint8Array => {
    const data = entries[name];
    if (!data) throw bad(`${name} is missing`);
    const found = entryOf(data);
    if (found.bytes !== expected.bytes || found.sha256 !== expected.sha256)
      throw bad(
        `${name} is damaged: the manifest records ${expected.bytes} bytes with sha256 ${expected.sha256}, it has ${found.bytes} bytes with sha256 ${found.sha256}`,
      );
    return data;
  };
  const database = check(DATABASE_ENTRY, manifest.database);
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    if (!safePath(f.path))
      throw bad(`it names a file outside the data directory (${JSON.stringify(f.path)})`);
    files.set(f.path, check(`files/${f.path}`, f));
  }
  return { manifest, database, files };
}

/** A relative path inside the data directory, and not one of the database's own. */
function safePath(path: unknown): path is string {
  if (typeof path !== 'string' || !path || isAbsolute(path) || path.includes('\\')) return false;
  const n = normalize(path);
  if (n !== path || n.startsWith('..')) return false;
  const top = n.split('/')[0];
  return top !== 'pgdata' && top !== 'lock';
}
