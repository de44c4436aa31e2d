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
import { attachResult, downloadLink } from './deliverResult.ts';
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

const ARTIFACTS: Record<string, { filename: string; label: string }> = {
  'extract.html': { filename: 'register-extract.html', label: 'Register extract (readable)' },
  'extract.json': { filename: 'register-extract.json', label: 'Register extract (JSON)' },
  'extract.pdf': { filename: 'register-extract.pdf', label: 'Register extract (PDF)' },
  'portability.zip': { filename: 'your-data.zip', label: 'Your data (JSON and CSV, ZIP)' },
};

/** The counts of a change, for the customer and the timeline (no personal data: systems, numbers, rules). */
export function summarise(result: FulfilmentResult): string {
  const changed = result.outcomes.reduce((n, o) => n + (o.action === 'none' ? 0 : o.erased), 0);
  const systems = new Set(result.outcomes.filter((o) => o.erased > 0).map((o) => o.system));
  const kept = result.outcomes.flatMap((o) =>
    o.keptUnder.map((k) =>
      k.hold
        ? `${o.collection}: ${k.rows} kept under a legal hold until it is lifted`
        : `${o.collection}: ${k.rows} kept under ${k.rule} until ${k.eraseOn}`,
    ),
  );
  return [
    `${changed} record(s) changed in ${systems.size} system(s).`,
    ...(kept.length
      ? ['Kept because the law requires it (restricted, erased on the date given):', ...kept]
      : []),
  ].join('\n');
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
  const lines: string[] = [];
  const links: string[] = [];
  if (input.type === 'access' || input.type === 'portability') {
    const names =
      input.type === 'access'
        ? ['extract.html', 'extract.json', 'extract.pdf', 'portability.zip']
        : ['portability.zip'];
    const have = await app.db.query<{ id: string; filename: string; expires_at: Date }>(
      'SELECT id, filename, expires_at FROM dsr_deliveries WHERE request_id = $1 AND deleted_at IS NULL',
      [req.id],
    );
    for (const name of names) {
      const a = ARTIFACTS[name]!;
      const prior = have.find((h) => h.filename === a.filename);
      let url: string;
      if (prior) url = downloadLink(app, prior.id, new Date(prior.expires_at));
      else {
        const file = await getArtifact(app.db, req.id, name, app.now());
        if (!file) continue;
        url = (
          await attachResult(app, systemCaller(), req.id, {
            filename: a.filename,
            contentType: file.contentType,
            data: file.body,
          })
        ).url;
      }
      links.push(`${a.label}: ${url}`);
    }
    lines.push('Your files are ready. The links expire; download them soon.');
  } else {
    lines.push(summarise(result));
    // Art. 19, as it happened: the recipients told that carried the change out, by name, and those that
    // answered they held none of the data (each answered before the request could complete). A recipient
    // of data the subject never had was not asked and is not named.
    const answered = (status: string) =>
      result.outcomes
        .filter((o) => 'recipient' in o && (o as RecipientOutcome).recipient.status === status)
        .map((o) => ix?.systems.get(o.system)?.name ?? o.system);
    const told = answered('done');
    if (told.length) lines.push(`We told those who received your data from us: ${told.join('; ')}.`);
    for (const name of answered('not_found')) lines.push(`${name} held none of your data.`);
  }
  const sub = await getSubmission(app.db, req.submission_id, await submissionKeys(app));
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
    await setSubjectRestricted(app.db, SYSTEM_ACTOR, keys, ix, {
      orgId: req.org_id,
      identity: { email: sub.email },
      restricted: true,
      reference: `request:${req.id}`,
    });
    lines.push('We keep your data stored only and do not use it or contact you until the restriction ends.');
  }
  const fresh = await getRequest(app.db, req.id);
  if (!isOpen(fresh.state)) return;
  const note = lines.join('\n');
  await finish(app, SYSTEM_ACTOR, fresh, 'completed', {
    outcome: links.length ? `${note}\n${links.join('\n')}` : note,
    note,
  });
}
