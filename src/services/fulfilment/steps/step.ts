/**
 * One kind of fulfilment step. A run is a list of step ids (`access`, `portability`, or `<kind>:<key>`:
 * `collect:<system>`, `erase:<dataset>`, `notify:<system>`, …), planned by the kinds in a fixed order
 * (steps/index.ts); each id is carried out by its kind's `run`, which answers what it did. The record
 * (step row, artifacts, audit entry, the run's status) is written by runFulfilment through runStore.ts:
 * a step never writes the run's tables itself.
 */
import type { Identities, NodeId } from '../../../core/fulfilment/dataset.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import type { CollectionOutcome, Engine, Located } from '../engine.ts';
import type { ConnectorLimits } from '../limiter.ts';
import type { Artifact } from '../runStore.ts';
import type { FulfilmentDeps, FulfilmentInput, FulfilmentType } from '../runTypes.ts';

export type StepKind = 'collect' | 'access' | 'portability' | 'erase' | 'rectify' | 'restrict' | 'notify';

/** What planning knows: the request, the databases it touches, and whom it may ask or tell. */
export type PlanContext = {
  type: FulfilmentType;
  engine: Engine;
  /** The databases touched, each with its collections children first, in the order they are changed. */
  byDb: Map<string, NodeId[]>;
  index: RegisterIndex;
  /** Art. 19: the recipients of changed systems are told (FulfilmentDeps.recipients is given). */
  tellRecipients: boolean;
  /** The services an access asks (servicesToAsk). */
  askServices: string[];
};

/** One run of one request, as its steps see it. Built once per call (steps/context.ts); nothing in it changes. */
export type RunContext = {
  readonly deps: FulfilmentDeps;
  readonly input: FulfilmentInput;
  /** The verified identities, normalised. */
  readonly ids: Identities;
  readonly engine: Engine;
  readonly byDb: Map<string, NodeId[]>;
  /** Concurrency per connector (an unlimited one when the deps give none). */
  readonly limits: ConnectorLimits;
  readonly now: () => Date;
  /** The run's day (YYYY-MM-DD), for retention. */
  readonly today: string;
  /** The run asks services (collect steps): the extract waits for their answers. */
  readonly collects: boolean;
  /** No run of this request was recorded before this call. */
  readonly fresh: boolean;
  /**
   * The subject's rows, located once, before any change and only when a step needs them (scoped to the
   * input's holders). Fails with a LocateError.
   */
  locate(): Promise<Located>;
  /**
   * The systems where the change steps found the subject's rows (after the step records written so far):
   * Art. 19 tells only the recipients of data the subject had.
   */
  systemsHolding(): Promise<string[]>;
  /** Is a service the access asked still to answer? (After the step records written so far.) */
  collectsPending(): Promise<boolean>;
};

/** What a step did: done (with what it found or changed, notes, artifacts), or not yet. */
export type StepOutput =
  | {
      status: 'done';
      outcome: CollectionOutcome[];
      /** What the desk should know without the step failing (e.g. no PDF). */
      notes?: string[];
      /** Stored with the step's record, expiring. */
      artifacts?: Artifact[];
      /** The services' answers are in the extract now: their own copies go with the record. */
      dropServiceCopies?: boolean;
    }
  /** A recipient is still to answer. */
  | { status: 'waiting' }
  /** The extract waits for the services it asked. */
  | { status: 'pending' };

export interface Step {
  readonly kind: StepKind;
  /** This kind's step ids for a request, in run order (none when the kind has no part in it). */
  plan(p: PlanContext): string[];
  /** Carry out one step: `key` is the part of its id after `<kind>:` ('' for `access`, `portability`). */
  run(ctx: RunContext, key: string): Promise<StepOutput>;
}

/** Locating the subject's rows failed: the step that needed them fails with this message as it is. */
export class LocateError extends Error {}
