/**
 * Deterministic consent data for bench/consent/lookup.ts, generated inside PostgreSQL: rows shaped
 * exactly as the application writes them (recordConsentEvent, resolveSubject, setSubjectRestricted),
 * loaded set-based with `generate_series` while the consent tables carry no index or constraint,
 * which are then rebuilt from the definitions the migrations created (read back from the catalog
 * before they were dropped, and compared after), followed by VACUUM ANALYZE.
 *
 * Subject i (0 ≤ i < N):
 * - id md5('subject-' || i) as a version-4 UUID (version and variant nibbles set, as the API's z.uuid() checks); restricted (Art. 18) when i % 500 = 3;
 * - one identity: e-mail `subject<i>@bench.example`, value_hash = the service's keyed hash
 *   (HMAC-SHA256 under the identity key, computed with pgcrypto's hmac() and checked against
 *   identityHash() in Node on samples; without pgcrypto the hashes are computed in Node);
 * - EPS events for `communication-subscription` on e-mail, 30 days apart: grants (wording, notice
 *   version 1, at checkout) alternating with withdrawals (preference center); the last one is a
 *   grant when md5('g' || i) falls in the lower 70 %, else a withdrawal;
 * - when i % 50 = 7, an objection to direct marketing ('*') a week after its last event;
 * - consent_state rows for the newest event of each (purpose, channel), as the service keeps them.
 * Every event's request_hash is what recordConsentEvent computes for the API call that would have
 * recorded it (checked on samples). Not generated: the audit entries and the (empty) webhook
 * outbox rows the service would have written next to each event; the lookups do not read them.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Identity } from '../../src/core/consent/identity.ts';
import type { ConsentKeys } from '../../src/services/consent/keys.ts';
import { identityHash } from '../../src/services/consent/keys.ts';
import { type RecordInput, requestCanonical } from '../../src/services/consent/recordConsentEvent.ts';

export const ORG = 'nestit-group';
export const PURPOSE = 'communication-subscription';
export const WORDING = 'Yes, send me NestIT newsletters by e-mail. I can unsubscribe at any time.';
/** The API key the webshop recorded the events with (a fixed id, so every run writes the same rows). */
export const ACTOR = 'api-key:0b3c5d9e-1f2a-4b6c-8d7e-9f0a1b2c3d4e';
/** Bumped whenever the generated rows change, so an older database is regenerated. */
export const GENERATOR_VERSION = 3;

export const email = (i: number) => `subject${i}@bench.example`;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
/** When subject i made its e-th choice; the objection comes a week after the last one. */
export const eventAt = (i: number, e: number) => new Date(T0 + e * 30 * DAY + (i % 86_400) * 1000);
export const granted = (i: number) =>
  Number.parseInt(createHash('md5').update(`g${i}`).digest('hex').slice(0, 7), 16) % 100 < 70;
export const objects = (i: number) => i % 50 === 7;
export const restricted = (i: number) => i % 500 === 3;
export const kindOf = (i: number, e: number, eps: number): 'grant' | 'withdraw' =>
  e === eps - 1 ? (granted(i) ? 'grant' : 'withdraw') : e % 2 === 0 ? 'grant' : 'withdraw';

type Ev = { kind: 'grant' | 'withdraw' | 'object'; at: Date };

/** The API call that records this event (what the webshop, the preference center or customer service sent). */
function callFor(mail: string, ev: Ev): { input: RecordInput; identities: Identity[] } {
  const base = { orgId: ORG, identity: { email: mail }, kind: ev.kind, at: ev.at };
  const input: RecordInput =
    ev.kind === 'object'
      ? { ...base, purposeId: 'direct-marketing', channel: '*', source: 'customer-service' }
      : ev.kind === 'grant'
        ? {
            ...base,
            purposeId: PURPOSE,
            channel: 'email',
            wording: WORDING,
            noticeVersion: 1,
            source: 'checkout',
          }
        : { ...base, purposeId: PURPOSE, channel: 'email', source: 'preference-center' };
  return { input, identities: [{ kind: 'email', value: mail }] };
}

/** The request hash recordConsentEvent stores for that call (its own function). */
export function requestHash(i: number, ev: Ev): string {
  const { input, identities } = callFor(email(i), ev);
  return createHash('sha256').update(requestCanonical(input, identities)).digest('hex');
}

/**
 * The same request hash as an SQL expression: the service's canonical request with the e-mail
 * address and the time as placeholders that SQL fills in (sha256() is built into PostgreSQL 11+).
 */
function requestHashSql(kind: Ev['kind'], mailSql: string, atIsoSql: string): string {
  const MAIL = 'placeholder@mail.invalid';
  const AT = new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999));
  const { input, identities } = callFor(MAIL, { kind, at: AT });
  const json = requestCanonical(input, identities);
  const iso = AT.toISOString();
  if (json.split(MAIL).length !== 2 || json.split(iso).length !== 2)
    throw new Error('unexpected request template');
  const parts = json
    .split(new RegExp(`(${MAIL.replaceAll('.', '\\.')}|${iso.replaceAll('.', '\\.')})`))
    .map((p) => (p === MAIL ? mailSql : p === iso ? atIsoSql : lit(p)));
  return `encode(sha256(convert_to(${parts.join(' || ')}, 'UTF8')), 'hex')`;
}

const TABLES = ['consent_subjects', 'consent_identities', 'consent_events', 'consent_state'];

type Definition = { table: string; name: string; kind: 'p' | 'u' | 'f' | 'i'; sql: string };

/** Every primary key, unique and foreign key constraint on (or pointing at) the tables, and every other index. */
async function definitions(c: pg.Client): Promise<Definition[]> {
  const cons = await c.query<{ table: string; name: string; kind: 'p' | 'u' | 'f'; def: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, contype AS kind, pg_get_constraintdef(oid) AS def
       FROM pg_constraint
      WHERE contype IN ('p', 'u', 'f')
        AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[]))
      ORDER BY conrelid::regclass::text, conname`,
    [TABLES],
  );
  const idx = await c.query<{ table: string; name: string; def: string }>(
    `SELECT x.indrelid::regclass::text AS table, x.indexrelid::regclass::text AS name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x
      WHERE x.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u'))
      ORDER BY 2`,
    [TABLES],
  );
  return [
    ...cons.rows.map((r) => ({
      table: r.table,
      name: r.name,
      kind: r.kind,
      sql: `ALTER TABLE ${r.table} ADD CONSTRAINT ${r.name} ${r.def}`,
    })),
    ...idx.rows.map((r) => ({ table: r.table, name: r.name, kind: 'i' as const, sql: r.def })),
  ];
}

/** Run tasks on `conns` connections, each taking the next task when it is free. */
async function onConnections(conns: pg.Client[], tasks: ((c: pg.Client) => Promise<void>)[]) {
  let next = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (next < tasks.length) await tasks[next++]!(c);
    }),
  );
}

export type GenerateResult = { seconds: number; steps: Record<string, number>; hashes: 'pgcrypto' | 'node' };

/**
 * Fill the (migrated, demo-loaded) database at `url` with N subjects and N × eps events. Uses
 * `parallel` connections (one per core is right on a quiet machine).
 */
export async function generate(
  url: string,
  keys: ConsentKeys,
  n: number,
  eps: number,
  opts: { parallel?: number; log?: (m: string) => void } = {},
): Promise<GenerateResult> {
  const log = opts.log ?? (() => {});
  const conns = await Promise.all(
    Array.from({ length: Math.max(1, opts.parallel ?? 2) }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      // Bulk-load settings for these sessions only.
      await c.query(
        `SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET work_mem = '256MB'`,
      );
      return c;
    }),
  );
  const c0 = conns[0]!;
  const steps: Record<string, number> = {};
  const t0 = performance.now();
  const step = async (name: string, fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    steps[name] = (performance.now() - t) / 1000;
    log(`${name}: ${steps[name]!.toFixed(1)} s`);
  };
  try {
    const before = await definitions(c0);
    await step('drop indexes and constraints', async () => {
      await c0.query('BEGIN');
      await c0.query(`TRUNCATE ${TABLES.join(', ')}, webhook_deliveries CASCADE`);
      for (const d of before.filter((x) => x.kind === 'f'))
        await c0.query(`ALTER TABLE ${d.table} DROP CONSTRAINT ${d.name}`);
      for (const d of before.filter((x) => x.kind === 'p' || x.kind === 'u'))
        await c0.query(`ALTER TABLE ${d.table} DROP CONSTRAINT ${d.name}`);
      for (const d of before.filter((x) => x.kind === 'i')) await c0.query(`DROP INDEX ${d.name}`);
      await c0.query('COMMIT');
    });

    let hashes: GenerateResult['hashes'] = 'pgcrypto';
    try {
      await c0.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    } catch {
      hashes = 'node';
    }
    const last = eps - 1;
    const at = (e: string) =>
      `timestamptz '2025-01-01 00:00:00+00' + make_interval(days => 30 * (${e}), secs => i % 86400)`;
    const iso = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    const mail = `'subject' || i || '@bench.example'`;
    const granted = `(('x' || substr(md5('g' || i), 1, 7))::bit(28)::int % 100 < 70)`;
    const kind = (e: number) =>
      e === last
        ? `CASE WHEN ${granted} THEN 'grant' ELSE 'withdraw' END`
        : e % 2 === 0
          ? `'grant'`
          : `'withdraw'`;
    const hash = (kind: Ev['kind'], atExpr: string) => requestHashSql(kind, mail, iso(atExpr));
    // Events: one statement per round e (all subjects' e-th choice), in time order like the service
    // would have appended them; the sequence number follows that order.
    const eventRound = (e: number) => async (c: pg.Client) =>
      step(`events, round ${e + 1} of ${eps}`, () =>
        c.query(
          `INSERT INTO consent_events (seq, id, org_id, subject_id, purpose_id, channel, kind, wording, notice_version, source, actor, at, recorded_at, idempotency_key, request_hash)
           SELECT ${e}::bigint * $2 + i + 1, overlay(overlay(md5('event-' || i || '-' || e) placing '4' from 13) placing '8' from 17)::uuid, $1, overlay(overlay(md5('subject-' || i) placing '4' from 13) placing '8' from 17)::uuid, '${PURPOSE}', 'email', k,
                  CASE WHEN k = 'grant' THEN ${lit(WORDING)} END, CASE WHEN k = 'grant' THEN 1 END,
                  CASE WHEN k = 'grant' THEN 'checkout' ELSE 'preference-center' END, '${ACTOR}',
                  ${at('e')}, ${at('e')} + interval '0.25 s', NULL,
                  CASE WHEN k = 'grant' THEN ${hash('grant', at('e'))} ELSE ${hash('withdraw', at('e'))} END
             FROM (SELECT i, ${e} AS e, ${kind(e)} AS k FROM generate_series(0, $2::int - 1) AS i) g`,
          [ORG, n],
        ),
      );
    const objAt = `${at(String(last))} + interval '7 days'`;
    const tasks: ((c: pg.Client) => Promise<void>)[] = [
      ...Array.from({ length: eps }, (_, e) => eventRound(e)),
      (c) =>
        step('objections to direct marketing', () =>
          c.query(
            `INSERT INTO consent_events (seq, id, org_id, subject_id, purpose_id, channel, kind, wording, notice_version, source, actor, at, recorded_at, idempotency_key, request_hash)
             SELECT ${eps}::bigint * $2 + i + 1, overlay(overlay(md5('objection-' || i) placing '4' from 13) placing '8' from 17)::uuid, $1, overlay(overlay(md5('subject-' || i) placing '4' from 13) placing '8' from 17)::uuid, 'direct-marketing', '*', 'object',
                    NULL, NULL, 'customer-service', '${ACTOR}', ${objAt}, ${objAt} + interval '0.25 s', NULL, ${hash('object', objAt)}
               FROM generate_series(0, $2::int - 1) AS i WHERE i % 50 = 7`,
            [ORG, n],
          ),
        ),
      (c) =>
        step('subjects', () =>
          c.query(
            `INSERT INTO consent_subjects (id, org_id, restricted, created_at)
             SELECT overlay(overlay(md5('subject-' || i) placing '4' from 13) placing '8' from 17)::uuid, $1, i % 500 = 3, ${at('0')} + interval '0.25 s'
               FROM generate_series(0, $2::int - 1) AS i`,
            [ORG, n],
          ),
        ),
      (c) =>
        step(`identities (keyed hash by ${hashes})`, async () => {
          if (hashes === 'pgcrypto') {
            await c.query(
              `INSERT INTO consent_identities (subject_id, org_id, kind, value, value_hash, created_at)
               SELECT overlay(overlay(md5('subject-' || i) placing '4' from 13) placing '8' from 17)::uuid, $1, 'email', ${mail},
                      encode(hmac(convert_to($1, 'UTF8') || '\\x00'::bytea || convert_to('email', 'UTF8') || '\\x00'::bytea
                                  || convert_to(${mail}, 'UTF8'), $3::bytea, 'sha256'), 'hex'),
                      ${at('0')} + interval '0.25 s'
                 FROM generate_series(0, $2::int - 1) AS i`,
              [ORG, n, keys.identity],
            );
            return;
          }
          const B = 100_000;
          for (let s = 0; s < n; s += B) {
            const k = Math.min(B, n - s);
            const hs = Array.from({ length: k }, (_, j) => identityHash(keys, ORG, 'email', email(s + j)));
            await c.query(
              `INSERT INTO consent_identities (subject_id, org_id, kind, value, value_hash, created_at)
               SELECT overlay(overlay(md5('subject-' || i) placing '4' from 13) placing '8' from 17)::uuid, $1, 'email', ${mail}, h, ${at('0')} + interval '0.25 s'
                 FROM unnest($3::text[]) WITH ORDINALITY AS x(h, o), LATERAL (SELECT $2::int + o::int - 1 AS i) AS y`,
              [ORG, s, hs],
            );
          }
        }),
      (c) =>
        step('current state', () =>
          c.query(
            `INSERT INTO consent_state (org_id, subject_id, purpose_id, channel, status, event_id, since)
             SELECT $1, overlay(overlay(md5('subject-' || i) placing '4' from 13) placing '8' from 17)::uuid, '${PURPOSE}', 'email',
                    CASE WHEN ${granted} THEN 'granted' ELSE 'withdrawn' END,
                    overlay(overlay(md5('event-' || i || '-' || ${last}) placing '4' from 13) placing '8' from 17)::uuid, ${at(String(last))}
               FROM generate_series(0, $2::int - 1) AS i
             UNION ALL
             SELECT $1, overlay(overlay(md5('subject-' || i) placing '4' from 13) placing '8' from 17)::uuid, 'direct-marketing', '*', 'objected', overlay(overlay(md5('objection-' || i) placing '4' from 13) placing '8' from 17)::uuid, ${objAt}
               FROM generate_series(0, $2::int - 1) AS i WHERE i % 50 = 7`,
            [ORG, n],
          ),
        ),
    ];
    const tl = performance.now();
    await onConnections(conns, tasks);
    steps['load (wall)'] = (performance.now() - tl) / 1000;
    await c0.query(
      `SELECT setval(pg_get_serial_sequence('consent_events', 'seq'), (SELECT max(seq) FROM consent_events))`,
    );

    // Rebuild, one table per connection at a time (biggest first): its primary key and unique
    // constraints, then its other indexes; then the foreign keys, added NOT VALID and validated
    // (validations of different tables run side by side; the end state is the same).
    const tr = performance.now();
    const order = ['consent_events', 'consent_identities', 'consent_subjects', 'consent_state'];
    await onConnections(
      conns,
      order.map((t) => async (c: pg.Client) => {
        for (const d of before.filter((x) => x.table === t && x.kind !== 'f'))
          await step(`rebuild ${d.name}`, () => c.query(d.sql));
      }),
    );
    const fks = before.filter((d) => d.kind === 'f');
    for (const d of fks) await c0.query(`${d.sql} NOT VALID`);
    await onConnections(
      conns,
      fks.map(
        (d) => (c: pg.Client) =>
          step(`validate ${d.name}`, () => c.query(`ALTER TABLE ${d.table} VALIDATE CONSTRAINT ${d.name}`)),
      ),
    );
    steps['rebuild (wall)'] = (performance.now() - tr) / 1000;
    const after = await definitions(c0);
    const show = (ds: Definition[]) =>
      ds
        .map((d) => d.sql)
        .sort()
        .join('\n');
    if (show(after) !== show(before))
      throw new Error(
        `indexes and constraints differ after the rebuild:\n${show(before)}\n---\n${show(after)}`,
      );
    if (hashes === 'pgcrypto') await c0.query('DROP EXTENSION pgcrypto');

    await step('vacuum analyze', () =>
      onConnections(
        conns,
        TABLES.map((t) => (c: pg.Client) => c.query(`VACUUM (ANALYZE) ${t}`).then(() => undefined)),
      ),
    );
    await verify(c0, keys, n, eps);
    return { seconds: (performance.now() - t0) / 1000, steps, hashes };
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Samples checked against what the service computes in Node: identity hashes, request hashes, state. */
async function verify(c: pg.Client, keys: ConsentKeys, n: number, eps: number) {
  const sample = [0, 1, 3, 7, 57, n - 1, Math.floor(n / 2), Math.floor(n / 3)].filter((i) => i >= 0 && i < n);
  for (const i of sample) {
    const id = await c.query<{ value_hash: string; restricted: boolean }>(
      `SELECT i.value_hash, s.restricted FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
        WHERE i.value = $1`,
      [email(i)],
    );
    if (id.rows[0]?.value_hash !== identityHash(keys, ORG, 'email', email(i)))
      throw new Error(`identity hash of subject ${i} differs from the service's`);
    if (id.rows[0].restricted !== restricted(i)) throw new Error(`restriction of subject ${i}`);
    const evs = await c.query<{ kind: Ev['kind']; at: Date; request_hash: string }>(
      `SELECT kind, at, request_hash FROM consent_events WHERE subject_id = overlay(overlay(md5('subject-' || $1::int) placing '4' from 13) placing '8' from 17)::uuid ORDER BY seq`,
      [i],
    );
    const want: Ev[] = Array.from({ length: eps }, (_, e) => ({
      kind: kindOf(i, e, eps),
      at: eventAt(i, e),
    }));
    if (objects(i)) want.push({ kind: 'object', at: new Date(eventAt(i, eps - 1).getTime() + 7 * DAY) });
    if (evs.rows.length !== want.length) throw new Error(`subject ${i}: ${evs.rows.length} events`);
    want.forEach((w, k) => {
      const got = evs.rows[k]!;
      if (
        got.kind !== w.kind ||
        got.at.getTime() !== w.at.getTime() ||
        got.request_hash !== requestHash(i, w)
      )
        throw new Error(`subject ${i}, event ${k}: not what the service would have stored`);
    });
  }
}
