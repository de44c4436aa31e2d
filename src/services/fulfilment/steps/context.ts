/** The run context the steps share: built once per call of runFulfilment, after the run is recorded. */
import type { Identities, NodeId } from '../../../core/fulfilment/dataset.ts';
import { scopeLocated } from '../../../core/fulfilment/controllers.ts';
import type { Engine, Located } from '../engine.ts';
import { ConnectorLimits } from '../limiter.ts';
import { collectsOpen, type StepRecorder, systemsHolding } from '../runStore.ts';
import type { FulfilmentDeps, FulfilmentInput } from '../runTypes.ts';
import { safeError } from '../subject.ts';
import { LocateError, type RunContext } from './step.ts';

const NO_LIMITS = new ConnectorLimits(Number.POSITIVE_INFINITY);

export function createRunContext(r: {
  deps: FulfilmentDeps;
  input: FulfilmentInput;
  ids: Identities;
  engine: Engine;
  byDb: Map<string, NodeId[]>;
  steps: string[];
  fresh: boolean;
  /** The rows, when the run began locating them while its record was written. */
  early: Promise<Located> | undefined;
  recorder: StepRecorder;
}): RunContext {
  const { deps, input, ids, engine } = r;
  const now = deps.now ?? (() => new Date());
  const collects = r.steps.some((x) => x.startsWith('collect:'));
  // Located once, before any change and only when a step needs it (not while a run only waits for
  // answers): later steps must still find rows through references into databases that earlier steps
  // change. Databases are changed children first, so a resumed run still finds its rows.
  let located: Located | undefined;
  const locate = async (): Promise<Located> => {
    try {
      const all = await (r.early ?? engine.locate(ids));
      return input.holders ? scopeLocated(deps.index, engine.graph, all, input.holders) : all;
    } catch (err) {
      throw new LocateError(`locating the data failed: ${safeError(err, ids)}`);
    }
  };
  return {
    deps,
    input,
    ids,
    engine,
    byDb: r.byDb,
    limits: deps.limits ?? NO_LIMITS,
    now,
    today: now().toISOString().slice(0, 10),
    collects,
    fresh: r.fresh,
    locate: async () => {
      located ??= await locate();
      return located;
    },
    systemsHolding: async () => {
      await r.recorder.written();
      return systemsHolding(deps.db, input.requestId);
    },
    // An access waits for the services it asks; their answers go into the extract.
    collectsPending: async () => {
      if (!collects) return false;
      await r.recorder.written();
      return collectsOpen(deps.db, input.requestId);
    },
  };
}
