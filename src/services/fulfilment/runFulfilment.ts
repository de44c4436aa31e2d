/**
 * The service API the request desk calls once a request is verified:
 *   runFulfilment(deps, { requestId, orgId, type, identities, corrections? })
 * It records a run and its steps (one per database for changes, one for an extract) in Ombud's tables,
 * keyed by the request id, and carries out each step not yet done, so calling it again after a crash or a
 * failure resumes where it stopped. Personal data never goes to the run's tables or the audit log: counts,
 * rule ids and hashes only. Extracts are stored as artifacts that expire.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Dataset, Identities } from '../../core/fulfilment/dataset.ts';
import { OmbudError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAuditWith } from '../audit/auditLog.ts';
import {
  type CollectionOutcome,
  type Connectors,
  Engine,
  type Located,
  eraseInDatabase,
  normaliseIdentities,
  rectifyInDatabase,
  restrictInDatabase,
} from './engine.ts';
import { ConnectorLimits } from './limiter.ts';
import { buildExtract, buildPortable, extractHtml, portableZip, type ServiceData } from './extract.ts';
import { recipientsToTell } from '../../core/fulfilment/recipients.ts';
import { scopeLocated } from '../../core/fulfilment/controllers.ts';
import {
  notifyRecipient,
  type RecipientOptions,
  recipientOutcome,
  serviceArtifact,
  settleCtes,
  settleRun,
  tasksOf,
} from './recipients.ts';

export const FULFILMENT_TYPES = ['access', 'portability', 'erasure', 'rectification', 'restriction'] as const;
export type FulfilmentType = (typeof FULFILMENT_TYPES)[number];

export const fulfilmentInput = z.object({
  requestId: z.string().min(1).max(100),
  orgId: z.string().min(1),
  type: z.enum(FULFILMENT_TYPES),
  identities: z
    .object({
      email: z.string().optional(),
      phone: z.string().optional(),
      customerNumber: z.string().optional(),
    })
    .refine((i) => Boolean(i.email || i.phone || i.customerNumber), {
      message: 'Give at least one verified identity: email, phone or customerNumber.',
    }),
  /**
   * Only rows these controllers hold (organization ids and `joint:<arrangement>`; see
   * src/core/fulfilment/controllers.ts): one company's request reads and changes its own rows of a shared
   * system, not another company's. The request desk passes the request's company and the joint
   * arrangements it answers for; without it every row found is in scope.
   */
  holders: z.array(z.string().min(1)).min(1).optional(),
  /** For rectification: corrected values by data category, e.g. { "user.contact.email": "new@example.com" }. */
  corrections: z.record(z.string().regex(/^user(\.[a-z0-9_]+)+$/), z.string().min(1)).optional(),
});
export type FulfilmentInput = z.infer<typeof fulfilmentInput>;

export type FulfilmentDeps = {
  db: Db;
  actor: Actor;
  index: RegisterIndex;
  datasets: Dataset[];
  connectors: Connectors;
  /** The HMAC key for pseudonyms. */
  secret: string;
  now?: () => Date;
  /** How long extracts are kept for the subject to fetch (default 30 days). */
  artifactDays?: number;
  /** Concurrency limit per connector, shared by every run in this process. */
  limits?: ConnectorLimits;
  /**
   * Art. 19: tell every recipient the register lists for the changed systems' purposes (HTTP connector or
   * manual task). Given, a rectification, erasure or restriction gets a `notify:<system>` step per recipient
   * and the run waits for their answers. The request desk passes this; without it only the group's own
   * databases are changed.
   */
  recipients?: RecipientOptions;
  /**
   * Render the HTML extract as PDF (see pdf.ts, Chromium); without it the extract is HTML and JSON. A PDF
   * that fails to print is noted on the access step, never a failed request.
   */
  pdf?: (html: string) => Promise<Uint8Array>;
  /** Why there is no `pdf` (e.g. "Chromium not found at …"): noted on the access step so the desk sees it. */
  pdfUnavailable?: string;
};

export type StepResult = {
  step: string;
  /** pending: an access extract that waits for the services it asked (collect steps). */
  status: 'done' | 'failed' | 'waiting' | 'pending';
  outcome?: CollectionOutcome[];
  error?: string;
  /** What the desk should know without the step failing (e.g. no PDF). */
  note?: string;
};
export type FulfilmentResult = {
  requestId: string;
  status: 'done' | 'failed' | 'waiting';
  steps: StepResult[];
  outcomes: CollectionOutcome[];
  artifacts: string[];
};

const NO_LIMITS = new ConnectorLimits(Number.POSITIVE_INFINITY);

const toKinds = (i: FulfilmentInput['identities']): Identities =>
  normaliseIdentities({ email: i.email, phone_number: i.phone, customer_number: i.customerNumber });

/** A hash to name the subject in logs and as the pseudonym key (never the identity itself). */
export const subjectHash = (ids: Identities) =>
  createHash('sha256')
    .update(JSON.stringify([ids.customer_number ?? '', ids.email ?? '', ids.phone_number ?? '']))
    .digest('hex');

/** Error text without personal data: identity values and quoted literals are removed. */
export function safeError(err: unknown, ids: Identities): string {
  const e = err as { code?: string; message?: string };
  let msg = String(e.message ?? err).slice(0, 300);
  for (const v of Object.values(ids)) if (v) msg = msg.split(v).join('[redacted]');
  msg = msg.replace(/'[^']*'/g, "'…'").replace(/\([^)]*\)=\([^)]*\)/g, '(…)');
  return e.code ? `${e.code}: ${msg}` : msg;
}

function plannedSteps(
  engine: Engine,
  type: FulfilmentType,
  order: string[],
  index: RegisterIndex,
  tellRecipients: boolean,
  askServices: string[],
): string[] {
  if (type === 'access') return [...askServices.map((s) => `collect:${s}`), 'access'];
  if (type === 'portability') return [type];
  const op = type === 'erasure' ? 'erase' : type === 'rectification' ? 'rectify' : 'restrict';
  const dbs = [...engine.byDatabaseChildrenFirst(order).keys()];
  const own = dbs.map((k) => `${op}:${k}`);
  if (!tellRecipients) return own;
  const systems = engine.datasets.filter((d) => dbs.includes(d.fides_key)).map((d) => d.ombud.system);
  return [...own, ...recipientsToTell(index, systems).map((s) => `notify:${s}`)];
}

/**
 * The services an access asks for the subject's data: systems with an HTTP connector that the register
 * lists for one of the controller's purposes (as a system or a recipient), less the group's own databases.
 */
export async function servicesToAsk(
  db: Db,
  index: RegisterIndex,
  orgId: string,
  ownSystems: string[],
): Promise<string[]> {
  const own = new Set(ownSystems);
  const used = new Set(index.purposesOf(orgId).flatMap((p) => [...p.systems, ...p.recipients]));
  const rows = await db.query<{ system_id: string }>(
    'SELECT system_id FROM fulfilment_http_connectors ORDER BY system_id',
  );
  return rows.map((r) => r.system_id).filter((s) => used.has(s) && !own.has(s) && index.systems.has(s));
}

class LocateError extends Error {}

export async function runFulfilment(deps: FulfilmentDeps, raw: FulfilmentInput): Promise<FulfilmentResult> {
  const parsed = fulfilmentInput.safeParse(raw);
  if (!parsed.success)
    throw new OmbudError('validation', 'invalid-fulfilment-input', 'The fulfilment request is not valid.', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      hint: 'Give requestId, orgId, type and at least one verified identity.',
    });
  const input = parsed.data;
  if (input.type === 'rectification' && !input.corrections)
    throw new OmbudError(
      'validation',
      'corrections-required',
      'A rectification needs the corrected values.',
      {
        issues: [
          { path: ['corrections'], message: 'missing', hint: 'Give e.g. { "user.contact.email": "…" }.' },
        ],
      },
    );
  const now = deps.now ?? (() => new Date());
  const ids = toKinds(input.identities);
  const engine = new Engine(deps.datasets, deps.connectors);
  const order = engine.order(ids);
  const asked =
    input.type === 'access' && deps.recipients
      ? await servicesToAsk(
          deps.db,
          deps.index,
          input.orgId,
          deps.datasets.map((d) => d.ombud.system),
        )
      : [];
  const steps = plannedSteps(engine, input.type, order, deps.index, Boolean(deps.recipients), asked);
  // A run that asks no service and tells no recipient reads the subject's rows while its record is being
  // written (still before any change): called again, such a run either resumes a step that needs them or is
  // done, and then the rows are dropped unused (so is a run of another type): nothing is changed, stored or
  // handed over. A run with services or recipients may be one that only waits for answers: it reads the
  // rows only when a step needs them.
  const early =
    asked.length === 0 && !steps.some((x) => x.startsWith('notify:')) ? engine.locate(ids) : undefined;
  early?.catch(() => {}); // awaited, and a failure recorded, by the step that needs the rows

  // The run and its steps: created once; a second call resumes. One statement, committed without waiting
  // for the disk (the run's record is progress, not evidence: lost in a crash, the retry writes it again).
  // A step no longer planned (the register or the connectors changed since) is dropped: it would hold the
  // run forever. The statement answers the type of a run already there and the steps it has done.
  const [start] = await deps.db.query<{
    prior: string | null;
    done: { step: string; outcome: CollectionOutcome[] | null; note: string | null }[];
  }>(
    `WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v),
     prior AS (SELECT type FROM fulfilment_runs WHERE request_id = $1),
     run AS (
       INSERT INTO fulfilment_runs (request_id, org_id, type, steps_total, status, attempts)
       SELECT $1, $2, $3, $4, 'running', 1 FROM cfg
       ON CONFLICT (request_id) DO UPDATE SET status = 'running', steps_total = EXCLUDED.steps_total,
         attempts = fulfilment_runs.attempts + 1, error = NULL, updated_at = now()
       WHERE fulfilment_runs.type = EXCLUDED.type
       RETURNING 1),
     st AS (
       INSERT INTO fulfilment_steps (request_id, step, position)
       SELECT $1, s.step, s.n - 1 FROM unnest($5::text[]) WITH ORDINALITY AS s(step, n)
        WHERE EXISTS (SELECT 1 FROM run)
       ON CONFLICT DO NOTHING),
     gone AS (
       DELETE FROM fulfilment_steps WHERE request_id = $1 AND status <> 'done' AND NOT (step = ANY($5::text[]))
          AND EXISTS (SELECT 1 FROM run))
     SELECT (SELECT type FROM prior) AS prior,
            (SELECT coalesce(json_agg(json_build_object('step', step, 'outcome', outcome, 'note', note)), '[]'::json)
               FROM fulfilment_steps WHERE request_id = $1 AND status = 'done') AS done`,
    [input.requestId, input.orgId, input.type, steps.length, steps],
  );
  if (start!.prior && start!.prior !== input.type)
    throw new OmbudError(
      'conflict',
      'fulfilment-type-mismatch',
      `Request ${input.requestId} is a ${start!.prior}.`,
    );
  const fresh = !start!.prior;
  const done = new Map(start!.done.map((r) => [r.step, { outcome: r.outcome ?? [], note: r.note }]));
  const results: StepResult[] = [];
  let failed = false;
  // Located once, before any change and only when a step needs it (not while a run only waits for
  // answers): later steps must still find rows through references into databases that earlier steps
  // change. Databases are changed children first, so a resumed run still finds its rows.
  let located: Located | undefined;
  const locate = async (): Promise<Located> => {
    if (located) return located;
    try {
      const all = await (early ?? engine.locate(ids));
      located = input.holders ? scopeLocated(deps.index, engine.graph, all, input.holders) : all;
      return located;
    } catch (err) {
      throw new LocateError(`locating the data failed: ${safeError(err, ids)}`);
    }
  };
  // Step records are written while the next step runs (in step order; a crash in between repeats
  // idempotent steps): `recording` is the chain of those writes.
  let recording: Promise<void> = Promise.resolve();
  let recordFailed: { step: string; why: string } | undefined;
  let settled: string | undefined;
  const stored: string[] = [];
  // An access waits for the services it asks; their answers go into the extract.
  const collects = steps.some((x) => x.startsWith('collect:'));
  const collectsPending = async () => {
    if (!collects) return false;
    await recording;
    return (
      (
        await deps.db.query(
          "SELECT 1 FROM fulfilment_steps WHERE request_id = $1 AND step LIKE 'collect:%' AND status <> 'done' LIMIT 1",
          [input.requestId],
        )
      ).length > 0
    );
  };
  const today = now().toISOString().slice(0, 10);
  const byDb = engine.byDatabaseChildrenFirst(order);
  const limits = deps.limits ?? NO_LIMITS;
  const ownIdentities = {
    ...(ids.email ? { email: ids.email } : {}),
    ...(ids.phone_number ? { phone: ids.phone_number } : {}),
    ...(ids.customer_number ? { customer_number: ids.customer_number } : {}),
  };
  let deferred: string | undefined;

  const runStep = async (step: string): Promise<void> => {
    const [op, key] = step.split(':') as [string, string | undefined];
    try {
      let outcome: CollectionOutcome[] = [];
      let artifacts: Artifact[] = [];
      const notes: string[] = [];
      if (op === 'notify' || op === 'collect') {
        const r = await notifyRecipient(
          deps.db,
          deps.recipients!,
          {
            requestId: input.requestId,
            orgId: input.orgId,
            action: op === 'collect' ? 'access' : (input.type as 'erasure' | 'rectification' | 'restriction'),
            systemId: key!,
            identities: ownIdentities,
            corrections: op === 'collect' ? undefined : input.corrections,
            now: now(),
          },
          deps.limits,
        );
        if (r.state === 'waiting') {
          await deps.db.query(
            `UPDATE fulfilment_steps SET status = 'waiting', attempts = attempts + 1, error = NULL
              WHERE request_id = $1 AND step = $2 AND status <> 'done'`,
            [input.requestId, step],
          );
          results.push({ step, status: 'waiting' });
          return;
        }
        outcome = recipientOutcome(r.task);
      } else if (op === 'access' || op === 'portability') {
        if (op === 'access' && (await collectsPending())) {
          deferred = step;
          results.push({ step, status: 'pending' });
          return;
        }
        const found = await locate();
        const made = await makeArtifacts(deps, engine, found, input, now(), op, ids, collects);
        artifacts = made.artifacts;
        notes.push(...made.notes);
        outcome = [...found].map(([id, rows]) => {
          const { dataset, collection } = engine.node(id);
          return {
            dataset: dataset.fides_key,
            system: dataset.ombud.system,
            collection: collection.name,
            erased: 0,
            kept: rows.length,
            keptUnder: [],
            action: 'none' as const,
          };
        });
      } else if (op === 'erase') {
        const found = await locate();
        outcome = await limits.run(key!, () =>
          eraseInDatabase(engine, key!, byDb.get(key!)!, found, {
            requestId: input.requestId,
            rules: deps.index.retentionRules,
            today,
            subjectKey: subjectHash(ids),
            secret: deps.secret,
          }),
        );
      } else if (op === 'rectify') {
        const found = await locate();
        outcome = await limits.run(key!, () =>
          rectifyInDatabase(engine, key!, byDb.get(key!)!, found, input.corrections!),
        );
      } else {
        const found = await locate();
        outcome = await limits.run(key!, () =>
          restrictInDatabase(engine, key!, byDb.get(key!)!, found, input.requestId),
        );
      }
      const note = notes.length ? notes.join(' ') : null;
      // Its artifacts, its record and its audit entry: one transaction, written while the next step runs.
      // The last step's also settles the run.
      const rec = {
        step,
        op,
        outcome,
        note,
        artifacts,
        now: now(),
        dropServiceCopies: op === 'access' && (collects || !fresh),
        settles: step === steps[steps.length - 1],
      };
      recording = recording.then(async () => {
        if (recordFailed) return;
        try {
          const s = await deps.db.transaction((tx) => recordStep(tx, deps, input, ids, rec));
          if (s) settled = s;
          stored.push(...artifacts.map((x) => x.name));
        } catch (err) {
          recordFailed = { step, why: safeError(err, ids) };
        }
      });
      results.push({ step, status: 'done', outcome, ...(note ? { note } : {}) });
    } catch (err) {
      failed = true;
      const why = err instanceof LocateError ? err.message : safeError(err, ids);
      await deps.db.query(
        `UPDATE fulfilment_steps SET status = 'failed', attempts = attempts + 1, error = $3 WHERE request_id = $1 AND step = $2`,
        [input.requestId, step, why],
      );
      results.push({ step, status: 'failed', error: why });
    }
  };

  for (const step of steps) {
    const prior = done.get(step);
    if (prior) {
      results.push({
        step,
        status: 'done',
        outcome: prior.outcome,
        ...(prior.note ? { note: prior.note } : {}),
      });
      continue;
    }
    if (failed || recordFailed) break;
    await runStep(step);
  }
  // A service answered while the run went on: the extract that waited for it can be made now.
  if (deferred && !failed && !(await collectsPending())) {
    const at = results.findIndex((r) => r.step === deferred);
    results.splice(at, 1);
    await runStep(deferred);
  }
  await recording;
  if (recordFailed) {
    failed = true;
    const { step, why } = recordFailed;
    await deps.db.query(
      `UPDATE fulfilment_steps SET status = 'failed', attempts = attempts + 1, error = $3 WHERE request_id = $1 AND step = $2`,
      [input.requestId, step, why],
    );
    const at = results.findIndex((r) => r.step === step);
    results.splice(at, results.length - at, { step, status: 'failed', error: why });
  }
  // From the recorded steps, not this call's view: a recipient may have answered while the run went on.
  // Settled with the last step's record when that came last; else here (progress: no wait for the disk).
  const status = (
    settled && !failed
      ? settled
      : await deps.db.transaction(async (tx) => {
          await tx.exec('SET LOCAL synchronous_commit = off');
          return settleRun(tx, input.requestId);
        })
  ) as FulfilmentResult['status'];
  // A new run holds the artifacts it stored; a resumed one may hold some from before.
  const artifacts = fresh
    ? stored.sort()
    : (
        await deps.db.query<{ name: string }>(
          "SELECT name FROM fulfilment_artifacts WHERE request_id = $1 AND name NOT LIKE 'service-%' ORDER BY name",
          [input.requestId],
        )
      ).map((r) => r.name);
  return {
    requestId: input.requestId,
    status,
    steps: results,
    outcomes: results.flatMap((r) => r.outcome ?? []),
    artifacts,
  };
}

type Artifact = { name: string; type: string; body: Uint8Array };

/**
 * The extract (JSON, HTML, PDF when a renderer is given) and the ZIP, with notes for the step: a PDF that
 * could not be made is said so, never a failed request (the HTML and JSON carry the same content).
 */
async function makeArtifacts(
  deps: FulfilmentDeps,
  engine: Engine,
  located: Located,
  input: FulfilmentInput,
  now: Date,
  kind: 'access' | 'portability',
  ids: Identities,
  askedServices: boolean,
): Promise<{ artifacts: Artifact[]; notes: string[] }> {
  const notes: string[] = [];
  const artifacts: Artifact[] = [];
  const put = (name: string, type: string, body: Uint8Array) => artifacts.push({ name, type, body });
  if (kind === 'access') {
    const x = buildExtract(engine, located, deps.index, {
      requestId: input.requestId,
      orgId: input.orgId,
      now,
      services: askedServices ? await serviceAnswers(deps.db, input.requestId) : [],
    });
    put('extract.json', 'application/json', Buffer.from(JSON.stringify(x, null, 2)));
    const page = extractHtml(x);
    put('extract.html', 'text/html; charset=utf-8', Buffer.from(page));
    if (deps.pdf) {
      try {
        put('extract.pdf', 'application/pdf', await deps.pdf(page));
      } catch (err) {
        notes.push(
          `No PDF: printing the extract failed (${safeError(err, ids).slice(0, 200)}); HTML and JSON are complete.`,
        );
      }
    } else if (deps.pdfUnavailable) notes.push(`No PDF: ${deps.pdfUnavailable}`);
  }
  put(
    'portability.zip',
    'application/zip',
    portableZip(buildPortable(engine, located, deps.index), { requestId: input.requestId }),
  );
  return { artifacts, notes };
}

/**
 * A step done: its artifacts (expiring), its record (and the run's count) and its audit entry, in the
 * caller's transaction. An access or portability step changed nothing outside Ombud: its transaction is
 * committed without waiting for the disk flush. Nothing of it leaves Ombud before a later durable commit
 * (the desk completing the request, the queue completing the job), which flushes it too, the log being
 * written in order; a crash before that loses it with the job, and the job runs again. A change (erasure,
 * rectification, restriction, a recipient told) is recorded durably at once.
 */
async function recordStep(
  tx: Db,
  deps: FulfilmentDeps,
  input: FulfilmentInput,
  ids: Identities,
  s: {
    step: string;
    op: string;
    outcome: CollectionOutcome[];
    note: string | null;
    artifacts: Artifact[];
    now: Date;
    /** The services' answers are in the extract now: their own copies go. */
    dropServiceCopies: boolean;
    /** The run's last step: its status is settled in the same statement. */
    settles: boolean;
  },
): Promise<string | undefined> {
  const params: unknown[] = [input.requestId, s.step, JSON.stringify(s.outcome), s.note];
  const quick = s.op === 'access' || s.op === 'portability';
  // set_config(…, true) is SET LOCAL (this transaction only) without a round trip of its own.
  const ctes = quick ? ["cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v)"] : [];
  if (s.dropServiceCopies)
    ctes.push("d AS (DELETE FROM fulfilment_artifacts WHERE request_id = $1 AND name LIKE 'service-%')");
  if (s.artifacts.length) {
    params.push(new Date(s.now.getTime() + (deps.artifactDays ?? 30) * 86_400_000).toISOString());
    const rows = s.artifacts.map((a) => {
      params.push(a.name, a.type, Buffer.from(a.body));
      const n = params.length;
      return `($1, $${n - 2}, $${n - 1}, $${n}, $5::timestamptz)`;
    });
    ctes.push(`a AS (
      INSERT INTO fulfilment_artifacts (request_id, name, content_type, body, expires_at) VALUES ${rows.join(', ')}
      ON CONFLICT (request_id, name) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at)`);
  }
  ctes.push(`s AS (
     UPDATE fulfilment_steps SET status = 'done', outcome = $3, note = $4, attempts = attempts + 1, error = NULL,
            finished_at = now()
      WHERE request_id = $1 AND step = $2 ${quick ? 'AND EXISTS (SELECT 1 FROM cfg)' : ''} RETURNING 1)`);
  if (s.settles) ctes.push(...settleCtes('$1', { assumeDone: '$2' }));
  else
    ctes.push(`r AS (
     UPDATE fulfilment_runs SET steps_done = steps_done + (SELECT count(*)::int FROM s), updated_at = now()
      WHERE request_id = $1)`);
  // The audit entry, with all of the above in the same statement.
  const row = await recordAuditWith<{ settled?: string }>(
    tx,
    {
      actor: deps.actor,
      orgId: input.orgId,
      action: `fulfilment.${s.op}`,
      target: `request:${input.requestId}`,
      details: {
        step: s.step,
        subject: subjectHash(ids).slice(0, 16),
        collections: s.outcome.map((o) => ({
          system: o.system,
          collection: o.collection,
          erased: o.erased,
          kept: o.kept,
        })),
      },
    },
    { ctes, params, select: s.settles ? '(SELECT status FROM st) AS settled' : undefined },
  );
  return row.settled;
}

/** What the services asked for an access answered: status, count and (until the extract holds it) data. */
async function serviceAnswers(db: Db, requestId: string): Promise<ServiceData[]> {
  const out: ServiceData[] = [];
  for (const t of await tasksOf(db, requestId)) {
    if (t.action !== 'access' || t.status !== 'done') continue;
    const file = await getArtifact(db, requestId, serviceArtifact(t.system_id));
    out.push({
      system: t.system_id,
      status: t.answer?.status === 'not_found' ? 'not_found' : 'done',
      records: t.answer?.records,
      data: file ? (JSON.parse(file.body.toString('utf8')) as ServiceData['data']) : {},
    });
  }
  return out;
}

/**
 * An artifact for the subject, or undefined when it has expired (at `now`, the clock its expiry was set
 * by: the run's; without it the database's) or never existed.
 */
export async function getArtifact(
  db: Db,
  requestId: string,
  name: string,
  now?: Date,
): Promise<{ contentType: string; body: Buffer } | undefined> {
  const rows = await db.query<{ content_type: string; body: Buffer | Uint8Array }>(
    `SELECT content_type, body FROM fulfilment_artifacts
      WHERE request_id = $1 AND name = $2 AND expires_at > COALESCE($3::timestamptz, now())`,
    [requestId, name, now?.toISOString() ?? null],
  );
  return rows[0] ? { contentType: rows[0].content_type, body: Buffer.from(rows[0].body) } : undefined;
}

/** Delete expired artifacts (personal data kept no longer than the request needs it). */
export async function purgeExpiredArtifacts(db: Db): Promise<number> {
  const rows = await db.query(
    'DELETE FROM fulfilment_artifacts WHERE expires_at <= now() RETURNING request_id',
  );
  return rows.length;
}

export type FulfilmentStatus = {
  requestId: string;
  type: string;
  status: 'queued' | 'running' | 'waiting' | 'done' | 'failed';
  stepsDone: number;
  stepsTotal: number;
  attempts: number;
  error: string | null;
  steps: {
    step: string;
    status: string;
    attempts: number;
    error: string | null;
    note: string | null;
    outcome: CollectionOutcome[] | null;
  }[];
};

/** Progress of a request's fulfilment, for the console and the request desk. */
export async function getFulfilmentStatus(db: Db, requestId: string): Promise<FulfilmentStatus | undefined> {
  const [run] = await db.query<{
    type: string;
    status: FulfilmentStatus['status'];
    steps_done: number;
    steps_total: number;
    attempts: number;
    error: string | null;
  }>(
    'SELECT type, status, steps_done, steps_total, attempts, error FROM fulfilment_runs WHERE request_id = $1',
    [requestId],
  );
  if (!run) return undefined;
  const steps = await db.query<FulfilmentStatus['steps'][number]>(
    'SELECT step, status, attempts, error, note, outcome FROM fulfilment_steps WHERE request_id = $1 ORDER BY position',
    [requestId],
  );
  return {
    requestId,
    type: run.type,
    status: run.status,
    stepsDone: run.steps_done,
    stepsTotal: run.steps_total,
    attempts: run.attempts,
    error: run.error,
    steps,
  };
}
