/**
 * The join between the request desk and fulfilment. A verified access or portability request is queued at
 * once; an erasure, rectification or restriction waits for an agent's approval (unless the workers'
 * `approveChanges` is false). The job runs `runFulfilment` with the request's id, controller and verified identity (the
 * submission's e-mail address, proven by code, assertion or ID check). The worker tells the recipients the
 * register lists (Art. 19) and asks the services with an HTTP connector on an access; a run waiting for
 * their answers leaves the request in progress, and is looked at again on a timer and when an answer comes
 * (FulfilmentQueue.wake). When the run is done, `fulfilmentDone` turns the extract (HTML, JSON, PDF) and ZIP
 * into the desk's result deliveries (encrypted, signed expiring links), records the consent side (an
 * erasure leaves an objection to direct marketing as the suppression record; a restriction marks the
 * subject restricted) and completes the request with the completion mail.
 */
import { existsSync } from 'node:fs';
import { errorFields } from '../../log.ts';
import type { BackgroundWork, SubjectSystems, Workers } from '../../workers.ts';
import { precondition } from '../../core/errors.ts';
import type { Caller } from '../../core/policies/policy.ts';
import { isOpen, nextState, type RequestType } from '../../core/requests/workflow.ts';
import { type Actor, SYSTEM_ACTOR } from '../audit/auditLog.ts';
import { setSubjectRestricted } from '../consent/restrictSubject.ts';
import { CHROMIUM_PATH, renderPdf } from '../fulfilment/pdf.ts';
import { FulfilmentQueue, type FulfilmentQueueOptions } from '../fulfilment/queue.ts';
import type { RecipientOptions, RecipientOutcome } from '../fulfilment/recipients.ts';
import { keyringOf } from '../users/totp.ts';
import {
  type FulfilmentInput,
  type FulfilmentResult,
  type FulfilmentType,
  getArtifact,
  getFulfilmentStatus,
} from '../fulfilment/runFulfilment.ts';
import { keysOf, propagate, rectifyConsentIdentity, recordStop } from './consentLink.ts';
import { checkCorrections, correctableCategories } from '../../core/fulfilment/rectification.ts';
import { groupNotRouted } from '../../core/requests/routing.ts';
import { finish } from './decideRequest.ts';
import { attachResult } from './deliverResult.ts';
import { DELIVERED_FILES, type DeliveredArtifact, fileLines } from './groupCompletion.ts';
import type { Dataset } from '../../core/fulfilment/dataset.ts';
import { isoDayIn, timeZoneOf } from '../../core/locale.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { type Language, t } from '../../core/register/schema.ts';
import { type OutcomeFacts, outcomeInWords } from '../../core/requests/outcome.ts';
import { recipientWords } from '../fulfilment/extract.ts';
import {
  addEvent,
  getRequest,
  hasEvent,
  getSubmission,
  referenceOf,
  submissionKeys,
  registerIndex,
  type RequestRow,
  requestFor,
  systemCaller,
  type RequestDeps,
} from './store.ts';

const FULFILLED: Partial<Record<RequestType, FulfilmentType>> = {
  access: 'access',
  portability: 'portability',
  erasure: 'erasure',
  rectification: 'rectification',
  restriction: 'restriction',
};
export const fulfilmentTypeOf = (t: RequestType): FulfilmentType | undefined => FULFILLED[t];

const CHANGES: readonly FulfilmentType[] = ['erasure', 'rectification', 'restriction'];
export const needsApproval = (workers: Pick<BackgroundWork, 'approveChanges'>, type: FulfilmentType) =>
  CHANGES.includes(type) && workers.approveChanges !== false;

export type RequestFulfilmentOptions = FulfilmentQueueOptions & {
  /**
   * Art. 19 and services: by default recipients are told through their HTTP connector or a manual task,
   * callbacks come to the configured public URL and connector secrets open with OMBUD_SECRET_KEYS.
   * `false` changes the group's own databases only (a test of those alone).
   */
  recipients?: false | Partial<RecipientOptions>;
  /** The PDF extract: by default Debian's Chromium when it is installed; `false` for none. */
  pdf?: false | ((html: string) => Promise<Uint8Array>);
};

/** Whether the PDF extract can be printed here, and if not why (said on the access step, not a failure). */
export function pdfRenderer(
  path = CHROMIUM_PATH,
): { pdf: (html: string) => Promise<Uint8Array> } | { pdfUnavailable: string } {
  return existsSync(path)
    ? { pdf: (page: string) => renderPdf(page, { executablePath: path }) }
    : {
        pdfUnavailable: `Chromium was not found at ${path} (install it or set OMBUD_CHROMIUM); the extract is HTML and JSON.`,
      };
}

/**
 * Start the fulfilment worker for an app: verified requests run through it. It registers itself (and the
 * systems it reaches, for the subject locator) in `workers`; its finished runs hand their consent events
 * to `workers.consentChanged`.
 */
export async function startRequestFulfilment(
  app: RequestDeps,
  workers: Workers,
  systems: SubjectSystems,
  options: RequestFulfilmentOptions = {},
): Promise<FulfilmentQueue> {
  const { recipients, pdf, ...opts } = options;
  const reg = await app.registers.get();
  if (!reg) throw precondition('no-register', 'No register is stored.', 'Apply a register first.');
  if (!app.config.secret)
    throw precondition(
      'secret-missing',
      'Fulfilment needs OMBUD_SECRET (pseudonyms and result files).',
      'Set OMBUD_SECRET (openssl rand -hex 32) and restart.',
    );
  const queue = await FulfilmentQueue.start(
    {
      db: app.db,
      actor: SYSTEM_ACTOR,
      index: reg.index,
      datasets: systems.datasets,
      connectors: systems.connectors,
      secret: app.config.secret,
      now: app.now,
      log: app.log,
      publicUrl: app.config.publicUrl,
      ...(recipients === false
        ? {}
        : {
            recipients: {
              callbackBaseUrl: app.config.publicUrl,
              keyring: app.config.secretKeys ? keyringOf(app.config.secretKeys) : undefined,
              ...recipients,
            },
          }),
      ...(pdf === false ? {} : pdf ? { pdf } : pdfRenderer()),
    },
    { ...opts, onDone: (input, result) => fulfilmentDone(app, workers, input, result) },
  );
  workers.fulfilment = queue;
  // The same systems tell the subject locator which companies know a requester of a group request.
  workers.subjectSystems = systems;
  return queue;
}

async function queueRequest(
  app: RequestDeps,
  fulfilment: FulfilmentQueue | undefined,
  actor: Actor,
  req: RequestRow,
  corrections?: Record<string, string>,
): Promise<string> {
  const q = fulfilment;
  if (!q)
    throw precondition(
      'fulfilment-not-running',
      'The fulfilment worker is not running.',
      'Start Ombud with `ombud start` (it runs the worker), or carry the request out by hand and complete it.',
    );
  const type = fulfilmentTypeOf(req.type)!;
  const sub = await getSubmission(app.db, req.submission_id, await submissionKeys(app));
  const jobId = await q.enqueue({
    requestId: req.id,
    orgId: req.org_id,
    type,
    identities: { email: sub.email },
    lang: sub.lang,
    reference: referenceOf(sub.id),
    // This company's rows, and those of the joint arrangements it answers for (Art. 26).
    holders: [req.org_id, ...(req.scope.jointArrangements ?? []).map((j) => `joint:${j}`)],
    corrections,
  });
  const now = app.now();
  await app.db.transaction(async (tx) => {
    if (req.state === 'verified')
      await tx.query('UPDATE dsr_requests SET state=$2 WHERE id=$1 AND state=$3', [
        req.id,
        nextState(req.state, 'start'),
        'verified',
      ]);
    await addEvent(tx, actor, req, 'fulfilment-queued', { at: now, details: { type, job: jobId } });
  });
  return jobId;
}

/** After verification: queue what needs no approval. A failure to queue is recorded, never lost. */
export async function afterVerification(
  app: RequestDeps,
  workers: BackgroundWork,
  requestIds: string[],
): Promise<void> {
  if (!workers.fulfilment) return;
  for (const id of requestIds) {
    const req = await getRequest(app.db, id);
    const type = fulfilmentTypeOf(req.type);
    // A group request known nowhere waits for an agent's answer; there is nothing to carry out.
    if (!type || req.state !== 'verified' || req.scope.group || needsApproval(workers, type)) continue;
    // A customer warned that the request may be refused or charged for waits for the agent's decision
    // (approve, charge the fee, or refuse): the run must not start before it.
    if (await hasEvent(app.db, id, 'refusal-warned')) {
      await addEvent(app.db, SYSTEM_ACTOR, req, 'fulfilment-held', {
        at: app.now(),
        note: 'The customer was warned that the request may be refused or charged for: decide it (run it, charge the fee, or refuse it).',
      });
      continue;
    }
    try {
      await queueRequest(app, workers.fulfilment, SYSTEM_ACTOR, req);
    } catch (err) {
      app.log.warn({ requestId: id, ...errorFields(err) }, 'fulfilment not queued');
      await addEvent(app.db, SYSTEM_ACTOR, req, 'fulfilment-not-queued', {
        at: app.now(),
        details: { code: (err as { code?: string }).code ?? 'error' },
      });
    }
  }
}

/** An agent approves an erasure, rectification or restriction (or starts any fulfilled type by hand). */
export async function approveRequest(
  app: RequestDeps,
  workers: BackgroundWork,
  caller: Caller,
  id: string,
  input: { corrections?: Record<string, string> } = {},
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  const type = fulfilmentTypeOf(req.type);
  if (req.scope.group) throw groupNotRouted();
  if (!type)
    throw precondition(
      'not-fulfilled-automatically',
      `A ${req.type} request is not carried out by the fulfilment engine.`,
      'Decide it on the desk (objections) or note what was done and complete it.',
    );
  if (await getFulfilmentStatus(app.db, id))
    throw precondition(
      'fulfilment-already-queued',
      'This request is already being carried out (or was).',
      'Follow its progress on the request page; retry it there if it failed.',
    );
  if (req.state === 'received') nextState(req.state, 'start'); // "verify the requester first"
  if (!isOpen(req.state)) nextState(req.state, 'start');
  // Checked before anything is recorded: a wrong category or value is a 422 and nothing changes.
  // (Without a running worker queueRequest says so first.)
  const corrections =
    type === 'rectification' && workers.fulfilment
      ? checkCorrections(
          input.corrections ?? {},
          correctableCategories(workers.subjectSystems?.datasets ?? []),
          (await registerIndex(app))?.organization(req.org_id)?.country,
        )
      : input.corrections;
  await addEvent(app.db, actor, req, 'approved', { at: app.now(), details: { type } });
  await queueRequest(app, workers.fulfilment, actor, req, corrections);
  return getRequest(app.db, id);
}

/** "Failed, here is why, retry": start a failed run again; it resumes at the failed step. */
export async function retryFulfilment(
  app: RequestDeps,
  workers: BackgroundWork,
  caller: Caller,
  id: string,
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  const st = await getFulfilmentStatus(app.db, id);
  if (!workers.fulfilment)
    throw precondition(
      'fulfilment-not-running',
      'The fulfilment worker is not running.',
      'Start Ombud with `ombud start`.',
    );
  if (st?.status !== 'failed')
    throw precondition(
      'fulfilment-not-failed',
      'Only a failed fulfilment can be retried.',
      'Wait for the run to finish; it retries by itself with back-off.',
    );
  await workers.fulfilment.retry(id);
  await addEvent(app.db, actor, req, 'fulfilment-retried', {
    at: app.now(),
    details: { attempts: st.attempts },
  });
  return getRequest(app.db, id);
}

/** The outcome of a change in the customer's words: the collections by their labels, the laws that keep rows. */
export function outcomeFacts(
  result: FulfilmentResult,
  type: 'erasure' | 'rectification' | 'restriction',
  ctx: { index?: RegisterIndex; datasets: Dataset[]; lang: Language },
): OutcomeFacts {
  const { index, datasets, lang } = ctx;
  const labelOf = (dataset: string, collection: string) => {
    const c = datasets.find((d) => d.fides_key === dataset)?.collections.find((x) => x.name === collection);
    return c?.ombud?.label ? t(c.ombud.label, lang) : collection.replace(/_/g, ' ');
  };
  const own = result.outcomes.filter((o) => !('recipient' in o));
  const changed = own
    .filter((o) => o.action !== 'none' && (o.erased > 0 || (type === 'restriction' && o.kept > 0)))
    .map((o) => labelOf(o.dataset, o.collection));
  const kept = own.flatMap((o) =>
    o.keptUnder.map((k) => {
      const law = index?.retentionRules.get(k.rule)?.law;
      return {
        label: labelOf(o.dataset, o.collection),
        rows: k.rows,
        ...(k.eraseOn ? { eraseOn: k.eraseOn } : {}),
        ...(k.hold ? { hold: true } : {}),
        ...(law ? { law: t(law, lang) } : {}),
      };
    }),
  );
  // Art. 19, as it happened: the recipients told that carried the change out, and those that answered they
  // held none of the data (each answered before the request could complete). A recipient of data the
  // subject never had was not asked and is not named.
  const answered = (status: string) =>
    result.outcomes
      .filter((o) => 'recipient' in o && (o as RecipientOutcome).recipient.status === status)
      .map((o) => {
        const sys = index?.systems.get(o.system);
        return sys && index ? recipientWords(index, sys, lang) : o.system;
      });
  return { type, changed, kept, told: answered('done'), notHeld: answered('not_found') };
}

/**
 * The run is done: deliver the files, record the consent side, complete the request. Idempotent (the
 * job retries it when it throws): files already delivered are not delivered again; a closed request is left.
 */
export async function fulfilmentDone(
  app: RequestDeps,
  workers: BackgroundWork,
  input: FulfilmentInput,
  result: FulfilmentResult,
): Promise<void> {
  const req = await getRequest(app.db, input.requestId);
  if (!isOpen(req.state)) return;
  const ix = await registerIndex(app);
  const sub = await getSubmission(app.db, req.submission_id, await submissionKeys(app));
  const lang = sub.lang;
  let note: string;
  const links: string[] = [];
  if (input.type === 'access' || input.type === 'portability') {
    const names: DeliveredArtifact[] =
      input.type === 'access'
        ? ['extract.html', 'extract.pdf', 'extract.json', 'portability.zip']
        : ['portability.zip'];
    const have = await app.db.query<{ filename: string }>(
      'SELECT filename FROM dsr_deliveries WHERE request_id = $1 AND deleted_at IS NULL',
      [req.id],
    );
    for (const name of names) {
      if (have.some((h) => h.filename === DELIVERED_FILES[name])) continue;
      const file = await getArtifact(app.db, req.id, name, app.now());
      if (!file) continue;
      await attachResult(app, systemCaller(), req.id, {
        filename: DELIVERED_FILES[name],
        contentType: file.contentType,
        data: file.body,
      });
    }
    const [first] = await app.db.query<{ expires_at: Date }>(
      'SELECT expires_at FROM dsr_deliveries WHERE request_id = $1 AND deleted_at IS NULL ORDER BY expires_at LIMIT 1',
      [req.id],
    );
    const zone = timeZoneOf(ix?.organization(req.org_id)?.country);
    links.push(...(await fileLines(app, app.db, req.id, lang)));
    note = outcomeInWords(
      {
        type: input.type,
        changed: [],
        kept: [],
        told: [],
        notHeld: [],
        ...(first ? { filesExpire: isoDayIn(new Date(first.expires_at), zone) } : {}),
      },
      lang,
    );
  } else
    note = outcomeInWords(
      outcomeFacts(result, input.type, {
        index: ix,
        datasets: workers.subjectSystems?.datasets ?? [],
        lang,
      }),
      lang,
    );
  if (input.type === 'erasure' && ix) {
    // The erased customer is not contacted again: an objection to direct marketing stays in the consent
    // register as the suppression record (keyed hashes; the evidence of the choice).
    const keys = await keysOf(app);
    const events = await app.db.transaction((tx) =>
      recordStop(tx, SYSTEM_ACTOR, keys, ix, {
        kind: 'objection-direct-marketing',
        orgIds: [req.org_id],
        purposeId: 'direct-marketing',
        email: sub.email,
        requestId: req.id,
        at: app.now(),
      }),
    );
    await propagate(workers, events);
  }
  const newEmail = input.type === 'rectification' ? input.corrections?.['user.contact.email'] : undefined;
  if (newEmail && ix) {
    const keys = await keysOf(app);
    const changed = await app.db.transaction((tx) =>
      rectifyConsentIdentity(tx, SYSTEM_ACTOR, keys, ix, {
        orgId: req.org_id,
        jointArrangements: req.scope.jointArrangements ?? [],
        from: sub.email,
        to: newEmail,
        requestId: req.id,
        at: app.now(),
      }),
    );
    await addEvent(app.db, SYSTEM_ACTOR, req, 'consent-identity-changed', {
      at: app.now(),
      details: changed,
    });
  }
  if (input.type === 'restriction' && ix) {
    const keys = await keysOf(app);
    const restricted = await setSubjectRestricted(app.db, SYSTEM_ACTOR, keys, ix, {
      orgId: req.org_id,
      identity: { email: sub.email },
      restricted: true,
      reference: `request:${req.id}`,
    });
    // Out of the company's immediate-removal audience segments at once (a queued job).
    await workers.audience?.subjectChanged(req.org_id, restricted.subjectId);
  }
  const fresh = await getRequest(app.db, req.id);
  if (!isOpen(fresh.state)) return;
  await finish(app, SYSTEM_ACTOR, fresh, 'completed', {
    outcome: links.length ? `${note}\n${links.join('\n')}` : note,
    note,
  });
}
