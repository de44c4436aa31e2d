/**
 * The service API the request desk calls once a request is verified:
 *   runFulfilment(deps, { requestId, orgId, type, identities, corrections? })
 * It records a run and its steps (one per database for changes, one for an extract) in Ombud's tables,
 * keyed by the request id, and carries out each step not yet done, so calling it again after a crash or a
 * failure resumes where it stopped. Personal data never goes to the run's tables or the audit log: counts,
 * rule ids and hashes only. Extracts are stored as artifacts that expire.
 *
 * The steps are units (./steps/: each kind plans its step ids and carries one out); the run's record
 * keeping is runStore.ts; this module plans, runs the steps in order and settles.
 */
import type { Identities } from '../../core/fulfilment/dataset.ts';
import { OmbudError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { checkCorrections, correctableCategories } from '../../core/fulfilment/rectification.ts';
import { Engine, normaliseIdentities } from './engine.ts';
import { artifactNames, failStep, settleNow, startRun, StepRecorder, waitStep } from './runStore.ts';
import {
  type FulfilmentDeps,
  type FulfilmentInput,
  type FulfilmentResult,
  fulfilmentInput,
  type StepResult,
} from './runTypes.ts';
import { safeError } from './subject.ts';
import { createRunContext } from './steps/context.ts';
import { planSteps, stepOf } from './steps/index.ts';
import { LocateError, type RunContext } from './steps/step.ts';

export {
  FULFILMENT_TYPES,
  type FulfilmentDeps,
  type FulfilmentInput,
  type FulfilmentResult,
  type FulfilmentType,
  fulfilmentInput,
  type StepResult,
} from './runTypes.ts';
export { safeError, subjectHash } from './subject.ts';
export {
  type FulfilmentStatus,
  getArtifact,
  getFulfilmentStatus,
  purgeExpiredArtifacts,
} from './runStore.ts';

const toKinds = (i: FulfilmentInput['identities']): Identities =>
  normaliseIdentities({ email: i.email, phone_number: i.phone, customer_number: i.customerNumber });

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
    `SELECT system_id FROM fulfilment_http_connectors
     UNION SELECT system_id FROM fulfilment_saas_connectors ORDER BY system_id`,
  );
  return rows.map((r) => r.system_id).filter((s) => used.has(s) && !own.has(s) && index.systems.has(s));
}

function parseInput(raw: FulfilmentInput): FulfilmentInput {
  const parsed = fulfilmentInput.safeParse(raw);
  if (!parsed.success)
    throw new OmbudError('validation', 'invalid-fulfilment-input', 'The fulfilment request is not valid.', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      hint: 'Give requestId, orgId, type and at least one verified identity.',
    });
  return parsed.data;
}

export async function runFulfilment(deps: FulfilmentDeps, raw: FulfilmentInput): Promise<FulfilmentResult> {
  const parsed = parseInput(raw);
  // A rectification names only categories the systems hold, with values as they store them (422 otherwise).
  const input: FulfilmentInput =
    parsed.type === 'rectification'
      ? {
          ...parsed,
          corrections: checkCorrections(
            parsed.corrections ?? {},
            correctableCategories(deps.datasets),
            deps.index.organization(parsed.orgId)?.country,
          ),
        }
      : parsed;
  const ids = toKinds(input.identities);
  const engine = new Engine(deps.datasets, deps.connectors);
  const byDb = engine.byDatabaseChildrenFirst(engine.order(ids));
  const asked =
    input.type === 'access' && deps.recipients
      ? await servicesToAsk(
          deps.db,
          deps.index,
          input.orgId,
          deps.datasets.map((d) => d.ombud.system),
        )
      : [];
  const steps = planSteps({
    type: input.type,
    engine,
    byDb,
    index: deps.index,
    tellRecipients: Boolean(deps.recipients),
    askServices: asked,
  });
  // A run that asks no service and tells no recipient reads the subject's rows while its record is being
  // written (still before any change): called again, such a run either resumes a step that needs them or is
  // done, and then the rows are dropped unused (so is a run of another type): nothing is changed, stored or
  // handed over. A run with services or recipients may be one that only waits for answers: it reads the
  // rows only when a step needs them.
  const early =
    asked.length === 0 && !steps.some((x) => x.startsWith('notify:')) ? engine.locate(ids) : undefined;
  early?.catch(() => {}); // awaited, and a failure recorded, by the step that needs the rows

  const start = await startRun(deps.db, input, steps);
  if (start.prior && start.prior !== input.type)
    throw new OmbudError(
      'conflict',
      'fulfilment-type-mismatch',
      `Request ${input.requestId} is a ${start.prior}.`,
    );
  const fresh = !start.prior;
  const done = new Map(start.done.map((r) => [r.step, { outcome: r.outcome ?? [], note: r.note }]));
  const recorder = new StepRecorder(deps, input, ids);
  const ctx = createRunContext({ deps, input, ids, engine, byDb, steps, fresh, early, recorder });
  const last = steps[steps.length - 1];
  const results: StepResult[] = [];
  let failed = false;
  let deferred: string | undefined;
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
    if (failed || recorder.failed) break;
    const r = await runStep(ctx, recorder, step, step === last);
    results.push(r);
    if (r.status === 'failed') failed = true;
    if (r.status === 'pending') deferred = step;
  }
  // A service answered while the run went on: the extract that waited for it can be made now.
  if (deferred && !failed && !(await ctx.collectsPending())) {
    const at = results.findIndex((r) => r.step === deferred);
    results.splice(at, 1);
    const r = await runStep(ctx, recorder, deferred, deferred === last);
    results.push(r);
    if (r.status === 'failed') failed = true;
  }
  await recorder.written();
  if (recorder.failed) {
    failed = true;
    const { step, why } = recorder.failed;
    await failStep(deps.db, input.requestId, step, why);
    const at = results.findIndex((r) => r.step === step);
    results.splice(at, results.length - at, { step, status: 'failed', error: why });
  }
  // From the recorded steps, not this call's view: a recipient may have answered while the run went on.
  // Settled with the last step's record when that came last; else here (progress: no wait for the disk).
  const status = (
    recorder.settled && !failed ? recorder.settled : await settleNow(deps.db, input.requestId)
  ) as FulfilmentResult['status'];
  // A new run holds the artifacts it stored; a resumed one may hold some from before.
  const artifacts = fresh ? recorder.stored.sort() : await artifactNames(deps.db, input.requestId);
  return {
    requestId: input.requestId,
    status,
    steps: results,
    outcomes: results.flatMap((r) => r.outcome ?? []),
    artifacts,
  };
}

/**
 * Carry out one step and hand what it did to the recorder (written while the next step runs; the last
 * step's record also settles the run). A failure is recorded at once, with its reason.
 */
async function runStep(
  ctx: RunContext,
  recorder: StepRecorder,
  step: string,
  settles: boolean,
): Promise<StepResult> {
  const { deps, input, ids } = ctx;
  try {
    const { step: kind, key } = stepOf(step);
    const out = await kind.run(ctx, key);
    if (out.status === 'waiting') {
      await waitStep(deps.db, input.requestId, step);
      return { step, status: 'waiting' };
    }
    if (out.status === 'pending') return { step, status: 'pending' };
    const note = out.notes?.length ? out.notes.join(' ') : null;
    recorder.write({
      step,
      op: kind.kind,
      outcome: out.outcome,
      note,
      artifacts: out.artifacts ?? [],
      now: ctx.now(),
      dropServiceCopies: out.dropServiceCopies ?? false,
      settles,
    });
    return { step, status: 'done', outcome: out.outcome, ...(note ? { note } : {}) };
  } catch (err) {
    const why = err instanceof LocateError ? err.message : safeError(err, ids);
    await failStep(deps.db, input.requestId, step, why);
    return { step, status: 'failed', error: why };
  }
}
