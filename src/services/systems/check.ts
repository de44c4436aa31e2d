/**
 * `ombud systems check`: every database of the systems file connected to and every annotation tried on it,
 * before a start. Per dataset: the connection; per collection: the table, its annotated columns and
 * identity columns, and the rights the annotation needs (read, delete or update), each tried with a
 * statement that touches no row (`WHERE 1 = 0`) inside a transaction that is rolled back; the tables Ombud
 * keeps in the database (markers, retention outcomes): writable, or creatable. Per HTTP connector: its
 * address answers. Nothing is changed; findings name the file:line:column of the annotation.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import type { Collection, Dataset } from '../../core/fulfilment/dataset.ts';
import type { LiveSchema } from '../../core/fulfilment/live-schema.ts';
import { validateDatasets } from '../../core/fulfilment/validate.ts';
import type { Register } from '../../core/register/schema.ts';
import { describeUrl } from '../../core/systems/config.ts';
import { MARKER_TABLE } from '../fulfilment/engine.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';
import { DONE_TABLE } from '../retention/sweep.ts';
import type { ConfiguredConnector, LoadedSystems } from './config.ts';
import { connect, connectionError } from './open.ts';

export type CheckStatus = 'ok' | 'fail' | 'warn';
export type SystemCheck = {
  /** The dataset (fides_key) or the connector's system. */
  target: string;
  /** connect, a collection's table, ombud-tables, connector. */
  check: string;
  status: CheckStatus;
  detail: string;
  at?: { file: string; line: number; column: number };
};

class Rollback extends Error {}

/** Run `statement` in a transaction that is rolled back; the driver's message when it is refused. */
async function attempt(c: SqlConnector, statement: string): Promise<string | undefined> {
  try {
    await c.transaction(async (tx) => {
      if (/^SELECT/.test(statement)) await tx.query(statement);
      else await tx.execute(statement);
      throw new Rollback();
    });
    return undefined;
  } catch (err) {
    if (err instanceof Rollback) return undefined;
    return connectionError(err, '');
  }
}

/** The columns an erasure or a retention rule writes in a collection (those it masks or marks). */
function writtenColumns(col: Collection): string[] {
  const o = col.ombud;
  const masked = col.fields
    .filter(
      (f) =>
        !f.fides_meta?.primary_key &&
        !f.fides_meta?.references &&
        f.data_categories.some((k) => k.startsWith('user.')),
    )
    .map((f) => f.name);
  return [
    ...new Set([
      ...(o?.erase === 'mask' ? masked : []),
      ...(o?.field_retention ?? []).flatMap((r) => r.fields),
      ...(o?.retention?.restricted_field ? [o.retention.restricted_field] : []),
      ...(o?.retention?.erase_on_field ? [o.retention.erase_on_field] : []),
    ]),
  ];
}

/** One collection: its table and columns (validate.ts's findings on it), identities and rights. */
async function checkCollection(
  c: SqlConnector,
  d: Dataset,
  col: Collection,
  found: { path: string; message: string; at?: SystemCheck['at'] }[],
): Promise<SystemCheck> {
  const mine = found.filter(
    (f) => f.path === `${d.fides_key}.${col.name}` || f.path.startsWith(`${d.fides_key}.${col.name}.`),
  );
  const base = { target: d.fides_key, check: col.name };
  if (mine.length)
    return { ...base, status: 'fail', detail: mine.map((f) => f.message).join(' '), at: mine[0]!.at };
  const q = (n: string) => c.quote(n);
  const table = q(col.name);
  const problems: string[] = [];
  const read = await attempt(
    c,
    `SELECT ${col.fields.map((f) => q(f.name)).join(', ')} FROM ${table} WHERE 1 = 0`,
  );
  if (read) problems.push(`cannot read: ${read}`);
  const rights = ['read'];
  if ((col.ombud?.erase ?? 'delete') === 'delete' || col.ombud?.purpose_retention) {
    const del = await attempt(c, `DELETE FROM ${table} WHERE 1 = 0`);
    if (del) problems.push(`cannot delete rows: ${del}`);
    rights.push('delete');
  }
  const written = writtenColumns(col);
  if (written.length) {
    const upd = await attempt(
      c,
      `UPDATE ${table} SET ${written.map((w) => `${q(w)} = ${q(w)}`).join(', ')} WHERE 1 = 0`,
    );
    if (upd) problems.push(`cannot update ${written.join(', ')}: ${upd}`);
    rights.push(`update ${written.join(', ')}`);
  }
  if (problems.length) return { ...base, status: 'fail', detail: problems.join(' ') };
  const ids = col.fields
    .filter((f) => f.fides_meta?.identity)
    .map((f) => `${f.name} (${f.fides_meta!.identity})`);
  return {
    ...base,
    status: 'ok',
    detail: `${col.fields.length} columns${ids.length ? `; identity ${ids.join(', ')}` : ''}; may ${rights.join(', ')}`,
  };
}

/** The tables Ombud keeps in the database: writable when they exist, else Ombud may create them. */
async function checkOmbudTables(c: SqlConnector, key: string, live: LiveSchema): Promise<SystemCheck> {
  const base = { target: key, check: 'ombud-tables' };
  const problems: string[] = [];
  const existing = [MARKER_TABLE, DONE_TABLE].filter((t) => live.tables.includes(t));
  for (const t of existing) {
    const cols = live.columns.filter((x) => x.table === t).map((x) => c.quote(x.column));
    const ins = await attempt(
      c,
      `INSERT INTO ${c.quote(t)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM ${c.quote(t)} WHERE 1 = 0`,
    );
    const del = ins ?? (await attempt(c, `DELETE FROM ${c.quote(t)} WHERE 1 = 0`));
    if (del) problems.push(`${t} is not writable: ${del}`);
  }
  const missing = [MARKER_TABLE, DONE_TABLE].filter((t) => !live.tables.includes(t));
  if (missing.length) {
    // Created at the first erasure, hold or retention run: try creating (and dropping) a table of our own.
    const probe = `ombud_check_${randomBytes(4).toString('hex')}`;
    try {
      await c.exec(`CREATE TABLE ${c.quote(probe)} (id INT PRIMARY KEY)`);
      try {
        await c.exec(`DROP TABLE ${c.quote(probe)}`);
      } catch (err) {
        problems.push(`could create but not drop the test table ${probe}: ${connectionError(err, '')}`);
      }
    } catch (err) {
      problems.push(
        `cannot create ${missing.join(' and ')} (needed at the first erasure or retention run): ${connectionError(err, '')}`,
      );
    }
  }
  if (problems.length) return { ...base, status: 'fail', detail: problems.join(' ') };
  return {
    ...base,
    status: 'ok',
    detail: [
      existing.length ? `${existing.join(', ')} writable` : '',
      missing.length ? `${missing.join(', ')} can be created` : '',
    ]
      .filter(Boolean)
      .join('; '),
  };
}

/** Whether the connector's host accepts a TCP connection (within 5 s). */
async function checkConnector(c: ConfiguredConnector): Promise<SystemCheck> {
  const base = { target: c.systemId, check: 'connector', at: c.at };
  const u = URL.canParse(c.url) ? new URL(c.url) : undefined;
  if (!u || !/^https?:$/.test(u.protocol))
    return { ...base, status: 'fail', detail: 'the url is not an http:// or https:// URL' };
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const error = await new Promise<string | undefined>((done) => {
    const s = tcpConnect({ host: u.hostname.replace(/^\[|\]$/g, ''), port, timeout: 5000 });
    s.once('connect', () => {
      s.destroy();
      done(undefined);
    });
    s.once('timeout', () => {
      s.destroy();
      done('no answer within 5 s');
    });
    s.once('error', (err) => done(connectionError(err, '')));
  });
  const where = `${u.protocol}//${u.host}`;
  return error
    ? { ...base, status: 'fail', detail: `${where} cannot be reached: ${error}` }
    : { ...base, status: 'ok', detail: `${where} answers` };
}

/** Check every connection, annotation and connector of a loaded systems file, one database after another. */
export async function checkSystems(
  loaded: LoadedSystems,
  opts: { register?: Register } = {},
): Promise<SystemCheck[]> {
  const connects = new Map<string, SystemCheck>();
  const open = new Map<string, { c: SqlConnector; live: LiveSchema }>();
  try {
    for (const conn of loaded.connections) {
      const where = describeUrl(conn.url) ?? 'the URL';
      try {
        const c = await connect(conn);
        open.set(conn.key, { c, live: await c.describe() });
        connects.set(conn.key, {
          target: conn.key,
          check: 'connect',
          status: 'ok',
          detail: where,
          at: conn.at,
        });
      } catch (err) {
        connects.set(conn.key, {
          target: conn.key,
          check: 'connect',
          status: 'fail',
          detail: `${where} cannot be reached: ${connectionError(err, conn.url)}`,
          at: conn.at,
        });
      }
    }
    const live = new Map([...open].map(([k, v]) => [k, v.live]));
    const found = validateDatasets(loaded.datasets, { live, register: opts.register })
      .filter((f) => f.severity === 'error')
      .map((f) => ({ path: f.path, message: f.message, at: loaded.locateDataset(f.path) }));
    const out: SystemCheck[] = [];
    for (const conn of loaded.connections) {
      out.push(connects.get(conn.key)!);
      const o = open.get(conn.key);
      const d = loaded.datasets.find((x) => x.fides_key === conn.key);
      if (!o || !d) continue;
      for (const col of d.collections) out.push(await checkCollection(o.c, d, col, found));
      out.push(await checkOmbudTables(o.c, d.fides_key, o.live));
      // Findings on the dataset itself (its register system, …), not on one collection.
      for (const f of found.filter(
        (x) => x.path === d.fides_key || x.path.startsWith(`${d.fides_key}.ombud`),
      ))
        out.push({ target: d.fides_key, check: 'annotation', status: 'fail', detail: f.message, at: f.at });
    }
    for (const c of loaded.connectors) out.push(await checkConnector(c));
    return out;
  } finally {
    for (const { c } of open.values()) await c.close().catch(() => {});
  }
}
