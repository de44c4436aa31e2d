/**
 * Run an analytics export of the register (P13, P23, P38, P42): read the export's rows from the group's
 * database, leaving out the subjects the consent register keeps out (restricted, objecting, without the
 * consents channel behaviour needs), then either
 * - aggregate: the table and its margins, each cell behind fewer than k distinct subjects suppressed and
 *   complementary cells suppressed so that none can be worked out from the rest (core/analytics/suppress.ts),
 *   the counts with noise when the export asks for it, charged to the purpose's privacy budget; or
 * - rows: one record per row under the series' keyed pseudonym, with only the columns the register allows.
 * The file (CSV, JSON or Parquet), what it guaranteed, and an audit entry are stored in one transaction.
 */
import { randomInt } from 'node:crypto';
import { type ResolvedExport, resolveExport } from '../../core/analytics/definition.ts';
import { chargeBudget, noisyCount } from '../../core/analytics/noise.ts';
import {
  aggregateRecords,
  type Guarantee,
  type OutRecord,
  TOTAL,
  toCsv,
  toJson,
  toParquet,
} from '../../core/analytics/output.ts';
import { pseudonym, seriesKey } from '../../core/analytics/pseudonym.ts';
import { type AggregateTable, type Entry, suppress } from '../../core/analytics/suppress.ts';
import { precondition, validationError } from '../../core/errors.ts';
import { authorize, type Caller } from '../../core/policies/policy.ts';
import { analyticsExportPolicy } from '../../core/policies/resources.ts';
import { dataKeyring } from '../../core/secrets/dataKeys.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { consentKeys } from '../consent/keys.ts';
import { aggregate, type GroupRow, records, type SubjectFilter } from './query.ts';
import {
  type AnalyticsDeps,
  type AnalyticsExport,
  EXPORT_COLUMNS,
  type ExportRow,
  exportOf,
  mediaTypeOf,
} from './store.ts';
import { subjectFilter } from './subjects.ts';

export type RunExportInput = {
  orgId: string;
  purposeId: string;
  exportId: string;
  format: 'csv' | 'json' | 'parquet';
  /** Start a new pseudonym series (rows exports): the pseudonyms no longer match the earlier exports'. */
  newSeries?: boolean;
};

/** The file: text for CSV and JSON, bytes for Parquet. */
export type ExportResult<B extends string | Uint8Array = string | Uint8Array> = {
  export: AnalyticsExport;
  body: B;
  mediaType: string;
};

const NULL_KEY = '\0';

const defaultUniform = () => (randomInt(1, 2 ** 48 - 1) as number) / 2 ** 48;

export async function runAnalyticsExport(
  deps: AnalyticsDeps,
  caller: Caller,
  input: RunExportInput & { format: 'csv' | 'json' },
): Promise<ExportResult<string>>;
export async function runAnalyticsExport(
  deps: AnalyticsDeps,
  caller: Caller,
  input: RunExportInput,
): Promise<ExportResult>;
export async function runAnalyticsExport(
  deps: AnalyticsDeps,
  caller: Caller,
  input: RunExportInput,
): Promise<ExportResult> {
  const { db, index } = deps;
  authorize(
    caller.principal,
    analyticsExportPolicy,
    'export',
    { id: `${input.purposeId}/${input.exportId}`, org_id: input.orgId },
    { orgIds: index.register.organizations.map((o) => o.id) },
  );
  const purpose = index.purposes.get(input.purposeId);
  if (!purpose?.controllers.includes(input.orgId))
    throw validationError('invalid-purpose', `'${input.purposeId}' is not a purpose of '${input.orgId}'.`, [
      { path: ['purpose'], message: 'not a purpose of this company' },
    ]);
  const x = resolveExport(purpose, input.exportId, deps.datasets, index.purposes);
  const connector = deps.connectors.get(x.dataset.fides_key);
  if (!connector)
    throw precondition(
      'analytics-needs-database',
      `The dataset '${x.dataset.fides_key}' of this export is not connected in this process.`,
      'Start Ombud with its systems (`ombud start`), or pass --connection / --demo to `ombud analytics export`.',
    );
  const def = x.definition;
  const requires = def.requiresConsent.map((r) => ({
    purpose: index.purposes.get(r.purpose)!,
    channel: r.channel,
  }));
  const keys = await consentKeys(db, deps.secret, deps.secretKeys);
  const { filter, counts } = await subjectFilter(db, keys, { orgId: input.orgId, purpose, requires });
  const now = deps.now();
  const baseGuarantee = {
    timePrecision: x.timePrecision,
    subjects: {
      restricted: counts.restricted,
      objected: counts.objected,
      noConsent: counts['no-consent'],
      consented: requires.length ? counts.consented : null,
    },
    excludes: [
      'direct identifiers (contact details, names, identity numbers, usernames, device ids)',
      'keys that link a row to a person (primary keys, references, identities)',
      'free text',
      `exact times (cut to the ${x.timePrecision === 'day' ? 'day or month' : 'month'})`,
    ],
  };

  const made =
    def.kind === 'aggregate'
      ? await aggregateFile(deps, x, input.orgId, filter, baseGuarantee)
      : await rowsFile(deps, x, input, filter, baseGuarantee, now);
  const { columns, out, guarantee, seriesId, epsilon } = made;

  const meta = {
    company: input.orgId,
    purpose: purpose.id,
    export: def.id,
    title: def.title ?? null,
    createdAt: now.toISOString(),
  };
  const body =
    input.format === 'csv'
      ? toCsv(columns, out)
      : input.format === 'parquet'
        ? toParquet(meta, guarantee, columns, out)
        : toJson(meta, guarantee, out);
  const row = await storeExport(deps, caller, {
    input,
    purposeId: purpose.id,
    def,
    k: x.k,
    guarantee,
    seriesId,
    epsilon,
    body,
    now,
  });
  return {
    export: exportOf(row),
    body,
    mediaType: mediaTypeOf(input.format),
  };
}

/** The export, its guarantee and its file, with the budget it spent and its audit entry: one transaction. */
async function storeExport(
  deps: AnalyticsDeps,
  caller: Caller,
  e: {
    input: RunExportInput;
    purposeId: string;
    def: ResolvedExport['definition'];
    k: number;
    guarantee: Guarantee;
    seriesId: string | null;
    epsilon: number | null;
    body: string | Uint8Array;
    now: Date;
  },
): Promise<ExportRow> {
  const { db, index } = deps;
  const { input, def, guarantee, seriesId, epsilon, body, now } = e;
  const purpose = index.purposes.get(e.purposeId)!;
  const x = { k: e.k };
  return db.transaction(async (tx) => {
    if (epsilon !== null) {
      await tx.query(
        `INSERT INTO analytics_budget (org_id, purpose_id, spent) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, purpose_id) DO UPDATE SET spent = analytics_budget.spent + EXCLUDED.spent`,
        [input.orgId, purpose.id, epsilon],
      );
      const [b] = await tx.query<{ spent: number }>(
        'SELECT spent FROM analytics_budget WHERE org_id = $1 AND purpose_id = $2 FOR UPDATE',
        [input.orgId, purpose.id],
      );
      // A concurrent export spent it first: refused, nothing stored.
      chargeBudget(
        purpose.id,
        purpose.analytics!.privacyBudget!.epsilon,
        Number(b!.spent) - epsilon,
        epsilon,
      );
    }
    const [r] = await tx.query<ExportRow>(
      `INSERT INTO analytics_exports (org_id, purpose_id, export_id, kind, format, series_id, k, epsilon, records,
         suppressed_primary, suppressed_complementary, guarantee, created_by, created_at, body, body_bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       RETURNING ${EXPORT_COLUMNS}`,
      [
        input.orgId,
        purpose.id,
        def.id,
        def.kind,
        input.format,
        seriesId,
        x.k,
        epsilon,
        guarantee.records,
        guarantee.suppressed.primary,
        guarantee.suppressed.complementary,
        JSON.stringify(guarantee),
        `${caller.actor.kind}:${caller.actor.id}`,
        now.toISOString(),
        typeof body === 'string' ? body : null,
        typeof body === 'string' ? null : body,
      ],
    );
    await recordAudit(tx, {
      actor: caller.actor,
      orgId: input.orgId,
      action: 'analytics.export',
      target: `analytics-export:${r!.id}`,
      details: {
        purpose: purpose.id,
        export: def.id,
        kind: def.kind,
        format: input.format,
        k: guarantee.k,
        records: guarantee.records,
        suppressed: guarantee.suppressed,
        subjects: guarantee.subjects,
        epsilon,
        series: seriesId,
      },
      at: now,
    });
    return r!;
  });
}

type BaseGuarantee = Pick<Guarantee, 'timePrecision' | 'subjects' | 'excludes'>;
type Made = {
  columns: string[];
  out: OutRecord[];
  guarantee: Guarantee;
  seriesId: string | null;
  epsilon: number | null;
};

/** The k-threshold table, suppressed, with noisy counts where the export asks for them. */
async function aggregateFile(
  deps: AnalyticsDeps,
  x: ResolvedExport,
  orgId: string,
  filter: SubjectFilter,
  baseGuarantee: BaseGuarantee,
): Promise<Made> {
  const def = x.definition;
  const purpose = x.purpose;
  const connector = deps.connectors.get(x.dataset.fides_key)!;
  const groups = await aggregate(connector, x, orgId, filter);
  const table = tableOf(groups, x.dimensions.length, x.measures.length);
  const s = suppress(table, x.k);
  let noise: Guarantee['noise'] = null;
  let epsilon: number | null = null;
  let counter: ((subjects: number, rows: number) => { subjects: number; rows: number }) | undefined;
  if (def.noise) {
    const budget = purpose.analytics!.privacyBudget!.epsilon;
    epsilon = def.noise.epsilon;
    const spent = await spentBudget(deps.db, orgId, purpose.id);
    const after = chargeBudget(purpose.id, budget, spent, epsilon);
    const uniform = deps.uniform ?? defaultUniform;
    const spec = def.noise;
    counter = (subjects, rows) => ({
      subjects: noisyCount(subjects, spec, uniform),
      rows: noisyCount(rows, spec, uniform),
    });
    noise = {
      mechanism: spec.mechanism,
      epsilon: spec.epsilon,
      delta: spec.mechanism === 'gaussian' ? (spec.delta ?? 1e-6) : null,
      budget,
      spent: after.spent,
    };
  }
  const dimNames = x.dimensions.map((d) => d.name);
  const out = aggregateRecords(
    table,
    s,
    { dimensions: dimNames, measures: x.measures.map((m) => ({ name: m.name, op: m.op })) },
    counter,
  );
  return {
    columns: [...dimNames, 'subjects', 'rows', ...x.measures.map((m) => m.name), 'suppressed'],
    out,
    guarantee: {
      kind: 'aggregate',
      k: x.k,
      records: out.length,
      suppressed: { primary: s.primary, complementary: s.complementary },
      noise,
      pseudonym: null,
      ...baseGuarantee,
    },
    seriesId: null,
    epsilon,
  };
}

/** One record per row under the series pseudonym, sorted by it. */
async function rowsFile(
  deps: AnalyticsDeps,
  x: ResolvedExport,
  input: RunExportInput,
  filter: SubjectFilter,
  baseGuarantee: BaseGuarantee,
  now: Date,
): Promise<Made> {
  const series = await currentSeries(deps, input, now);
  const key = seriesKey(series.key, series.id);
  const connector = deps.connectors.get(x.dataset.fides_key)!;
  const rows = await records(connector, x, input.orgId, filter);
  const columns = ['subject', ...x.dimensions.map((d) => d.name)];
  const out = rows
    .map((r) => {
      const rec: OutRecord = { subject: pseudonym(key, r.subject) };
      x.dimensions.forEach((d, i) => {
        const v = r.values[i];
        rec[d.name] = v === null ? null : d.numeric ? Number(v) : v;
      });
      return rec;
    })
    // Sorted by pseudonym, so the order says nothing of the database's.
    .sort((a, b) => compareRecords(a, b, columns));
  return {
    columns,
    out,
    guarantee: {
      kind: 'rows',
      k: null,
      records: out.length,
      suppressed: { primary: 0, complementary: 0 },
      noise: null,
      pseudonym: { series: series.id, algorithm: 'HMAC-SHA256/128' },
      ...baseGuarantee,
    },
    seriesId: series.id,
    epsilon: null,
  };
}

function compareRecords(a: OutRecord, b: OutRecord, columns: string[]): number {
  for (const c of columns) {
    const x = String(a[c] ?? '');
    const y = String(b[c] ?? '');
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

async function spentBudget(db: AnalyticsDeps['db'], orgId: string, purposeId: string): Promise<number> {
  const [b] = await db.query<{ spent: number }>(
    'SELECT spent FROM analytics_budget WHERE org_id = $1 AND purpose_id = $2',
    [orgId, purposeId],
  );
  return Number(b?.spent ?? 0);
}

/** The export's current series (a new one when asked, or when none runs), with the keyring key it uses. */
async function currentSeries(
  deps: AnalyticsDeps,
  input: RunExportInput,
  now: Date,
): Promise<{ id: string; key: Buffer }> {
  const ring = dataKeyring({ secret: deps.secret, secretKeys: deps.secretKeys });
  return deps.db.transaction(async (tx) => {
    const args = [input.orgId, input.purposeId, input.exportId];
    if (input.newSeries)
      await tx.query(
        `UPDATE analytics_series SET ended_at = $4
          WHERE org_id = $1 AND purpose_id = $2 AND export_id = $3 AND ended_at IS NULL`,
        [...args, now.toISOString()],
      );
    await tx.query(
      `INSERT INTO analytics_series (org_id, purpose_id, export_id, key_id, started_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, purpose_id, export_id) WHERE ended_at IS NULL DO NOTHING`,
      [...args, ring.current, now.toISOString()],
    );
    const [s] = await tx.query<{ id: string; key_id: string }>(
      `SELECT id, key_id FROM analytics_series
        WHERE org_id = $1 AND purpose_id = $2 AND export_id = $3 AND ended_at IS NULL`,
      args,
    );
    const key = ring.keys.get(s!.key_id);
    if (!key)
      throw precondition(
        'analytics-series-key',
        `The key '${s!.key_id}' of the pseudonym series is no longer in the data keyring.`,
        'Put the key back into OMBUD_SECRET_KEYS, or start a new series (--new-series).',
      );
    return { id: s!.id, key };
  });
}

/** The groups of the aggregate as a table: rows by the first dimension, columns by the second. */
export function tableOf(groups: GroupRow[], dims: number, measures: number): AggregateTable {
  const zero = (): Entry => ({ subjects: 0, rows: 0, sums: new Array(measures).fill(0) });
  const entry = (g: GroupRow): Entry => ({ subjects: g.subjects, rows: g.rows, sums: g.sums });
  const key = (v: string | null) => v ?? NULL_KEY;
  const sorted = (xs: Set<string>) => [...xs].sort();
  if (dims === 0) {
    const g = groups[0];
    const e = g ? entry(g) : zero();
    return { rowKeys: [TOTAL], colKeys: [TOTAL], cells: [[e]], rowTotals: [e], colTotals: [e], grand: e };
  }
  const rowSet = new Set<string>();
  const colSet = new Set<string>();
  for (const g of groups) {
    if (g.grouped[0]) rowSet.add(key(g.dims[0]!));
    if (dims === 2 && g.grouped[1]) colSet.add(key(g.dims[1]!));
  }
  const rowKeys = sorted(rowSet);
  const colKeys = dims === 2 ? sorted(colSet) : [NULL_KEY];
  const ri = new Map(rowKeys.map((k, i) => [k, i]));
  const ci = new Map(colKeys.map((k, i) => [k, i]));
  const cells: (Entry | undefined)[][] = rowKeys.map(() => colKeys.map(() => undefined));
  const rowTotals = rowKeys.map(zero);
  const colTotals = colKeys.map(zero);
  let grand = zero();
  for (const g of groups) {
    const [a, b] = [g.grouped[0], dims === 2 ? g.grouped[1] : false];
    if (dims === 1) {
      if (a) {
        const i = ri.get(key(g.dims[0]!))!;
        cells[i]![0] = entry(g);
        rowTotals[i] = entry(g);
      } else {
        grand = entry(g);
        colTotals[0] = entry(g);
      }
      continue;
    }
    if (a && b) cells[ri.get(key(g.dims[0]!))!]![ci.get(key(g.dims[1]!))!] = entry(g);
    else if (a) rowTotals[ri.get(key(g.dims[0]!))!] = entry(g);
    else if (b) colTotals[ci.get(key(g.dims[1]!))!] = entry(g);
    else grand = entry(g);
  }
  return { rowKeys, colKeys, cells, rowTotals, colTotals, grand };
}
