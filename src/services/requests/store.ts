/**
 * Rows of the request desk and the helpers every use case shares: reading a request, adding a timeline
 * event (mirrored in the audit log), and putting a customer mail in the outbox. Personal data (the
 * e-mail address) is read only to send mail; events and audit entries carry ids and hashes.
 */
import { dataKeyring, sealContext, submissionEmailHash } from '../../core/secrets/dataKeys.ts';
import { type Keyring, open, seal } from '../../core/secrets/envelope.ts';
import type { App } from '../../app.ts';
import type { Config } from '../../config.ts';
import { errorFields } from '../../log.ts';
import { notFound } from '../../core/errors.ts';
import { SYSTEM_PRINCIPAL } from '../../core/policies/permissions.ts';
import { authorize, type Caller } from '../../core/policies/policy.ts';
import { requestPolicy } from '../../core/policies/resources.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Language } from '../../core/register/schema.ts';
import { t } from '../../core/register/schema.ts';
import { type MailInput, type MailTemplate, renderMail } from '../../core/requests/mail-templates.ts';
import type { RequestState, RequestType } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, actorString, recordAudit, SYSTEM_ACTOR } from '../audit/auditLog.ts';
import { installationSecret } from '../consent/keys.ts';
import { deliverOutbox, enqueueMail } from '../mail/outbox.ts';
import { groupOf } from '../register/group.ts';

/**
 * What a request use case needs of the App: the database, the clock, the log, the register and the few
 * settings it reads; never the whole App. Background work comes apart (BackgroundWork, src/workers.ts).
 */
export type RequestDeps = Readonly<
  Pick<App, 'db' | 'now' | 'log' | 'registers'> & {
    config: Pick<Config, 'secret' | 'secretKeys' | 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'assertion'>;
  }
>;

/** What seals and finds a requester's identity (core/secrets/dataKeys.ts): the data keyring and the secret. */
export type SubmissionKeys = { ring: Keyring; secret: string };

const installationSecrets = new WeakMap<Db, string>();

/** `db`: the transaction the caller is in, if any (an embedded database has one connection). */
export async function submissionKeys(
  app: Pick<RequestDeps, 'db' | 'config'>,
  db: Db = app.db,
): Promise<SubmissionKeys> {
  let secret = app.config.secret ?? installationSecrets.get(app.db);
  if (!secret) {
    secret = await installationSecret(db);
    installationSecrets.set(app.db, secret);
  }
  return { ring: dataKeyring({ secret, secretKeys: app.config.secretKeys }), secret };
}

/** The keyed hash a submission's e-mail address is stored and found by. */
export const emailHash = (keys: SubmissionKeys, email: string) => submissionEmailHash(keys.secret, email);

/** The customer's reference for a submission: short, stable, no personal data. */
export const referenceOf = (submissionId: string) => `R-${submissionId.slice(0, 8).toUpperCase()}`;

export type RequestRow = {
  id: string;
  submission_id: string;
  org_id: string;
  type: RequestType;
  state: RequestState;
  details: string | null;
  purpose_id: string | null;
  scope: RequestScope;
  received_at: Date;
  due_date: string;
  original_due_date: string;
  legal_due_date: string;
  max_due_date: string;
  extension_reason: string | null;
  assignee: string | null;
  verified_at: Date | null;
  verification_method: string | null;
  decision: Record<string, unknown> | null;
  closed_at: Date | null;
  created_at: Date;
};

/**
 * How a request relates to others: the joint arrangements it handles (or the request that handles them),
 * the requests filed with it, and for a group request its routing: `group` on the request held at the
 * contact point until verification (with the companies it may go to), `parent` on each request it became.
 */
export type RequestScope = {
  jointHandledBy?: string;
  jointArrangements?: string[];
  linked?: string[];
  group?: { candidates: string[] };
  parent?: string;
};

export type SubmissionRow = {
  id: string;
  channel: string;
  email: string;
  email_hash: string;
  name: string | null;
  lang: Language;
  scope: string;
  created_at: Date;
};

export const dateCol = (v: unknown) =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

export function normaliseRow(r: RequestRow): RequestRow {
  return {
    ...r,
    due_date: dateCol(r.due_date),
    original_due_date: dateCol(r.original_due_date),
    legal_due_date: dateCol(r.legal_due_date),
    max_due_date: dateCol(r.max_due_date),
    received_at: new Date(r.received_at),
  };
}

export async function getRequest(db: Db, id: string): Promise<RequestRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('request', id.slice(0, 40));
  const rows = await db.query<RequestRow>('SELECT * FROM dsr_requests WHERE id = $1', [id]);
  if (!rows[0]) throw notFound('request', id);
  return normaliseRow(rows[0]);
}

/**
 * The request, when the caller may do the action on it (requestPolicy): "not found" when they may not
 * even read it (a company they hold no role in), "forbidden" when they may read it but not change it.
 * Read outside transactions (the register is read for the group).
 */
export async function requestFor(
  app: RequestDeps,
  caller: Caller,
  id: string,
  action: 'read' | 'write',
): Promise<RequestRow> {
  const req = await getRequest(app.db, id);
  authorize(caller.principal, requestPolicy, action, req, await groupOf(app.registers));
  return req;
}

/** Ombud itself acting (workers, the data subject's own verification, the CLI): allowed everywhere. */
export const systemCaller = (actor: Actor = SYSTEM_ACTOR): Caller => ({ principal: SYSTEM_PRINCIPAL, actor });

/** The company a request's mail belongs to: its own; a group request's mail is the group's (null). */
export const mailOrgOf = (req: { org_id: string; scope: RequestScope }): string | null =>
  req.scope.group ? null : req.org_id;

/**
 * A submission with the requester's address and name opened (sealed at rest; a submission whose request
 * records were anonymised under their retention rule has neither: email is then empty).
 */
export async function getSubmission(db: Db, id: string, keys: SubmissionKeys): Promise<SubmissionRow> {
  const rows = await db.query<SubmissionRow & { email_sealed: string | null; name_sealed: string | null }>(
    'SELECT * FROM dsr_submissions WHERE id = $1',
    [id],
  );
  const r = rows[0];
  if (!r) throw notFound('submission', id);
  const { email_sealed, name_sealed, ...row } = r;
  return {
    ...row,
    email: email_sealed
      ? open(keys.ring, email_sealed, sealContext.submission(id, 'email'))
      : (row.email ?? ''),
    name: name_sealed ? open(keys.ring, name_sealed, sealContext.submission(id, 'name')) : row.name,
  };
}

/** A submission's address and name as stored: sealed, bound to the submission. */
export function sealSubmission(keys: SubmissionKeys, id: string, email: string, name: string | null) {
  return {
    emailSealed: seal(keys.ring, email, sealContext.submission(id, 'email')),
    nameSealed: name ? seal(keys.ring, name, sealContext.submission(id, 'name')) : null,
    emailHash: emailHash(keys, email),
  };
}

export async function requestsOfSubmission(db: Db, submissionId: string): Promise<RequestRow[]> {
  const rows = await db.query<RequestRow>(
    'SELECT * FROM dsr_requests WHERE submission_id = $1 ORDER BY org_id',
    [submissionId],
  );
  return rows.map(normaliseRow);
}

/** One step on the request's timeline, and the same step in the audit log. */
export async function addEvent(
  db: Db,
  actor: Actor,
  req: { id: string; org_id: string },
  kind: string,
  opts: { note?: string | null; details?: Record<string, unknown>; at: Date; auditReason?: string | null },
): Promise<void> {
  await db.query(
    'INSERT INTO dsr_events (request_id, at, actor, kind, note, details) VALUES ($1,$2,$3,$4,$5,$6)',
    [
      req.id,
      opts.at.toISOString(),
      actorString(actor),
      kind,
      opts.note ?? null,
      JSON.stringify(opts.details ?? {}),
    ],
  );
  await recordAudit(db, {
    actor,
    orgId: req.org_id,
    action: `request.${kind}`,
    target: req.id,
    reason: opts.auditReason ?? null,
    details: opts.details ?? {},
    at: opts.at,
  });
}

export type EventRow = {
  id: number;
  request_id: string;
  at: Date;
  actor: string;
  kind: string;
  note: string | null;
  details: Record<string, unknown>;
};

/** Whether the request's timeline has an event of this kind (e.g. the customer was warned before a refusal or fee). */
export async function hasEvent(db: Db, requestId: string, kind: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM dsr_events WHERE request_id = $1 AND kind = $2 LIMIT 1', [
    requestId,
    kind,
  ]);
  return rows.length > 0;
}

export async function timeline(db: Db, requestId: string): Promise<EventRow[]> {
  return db.query<EventRow>('SELECT * FROM dsr_events WHERE request_id = $1 ORDER BY id', [requestId]);
}

/** The current register's index (read outside transactions). */
export async function registerIndex(app: RequestDeps): Promise<RegisterIndex | undefined> {
  return (await app.registers.get())?.index;
}

/**
 * Put a mail to the requester in the outbox, in their language, naming the authority of `orgId`
 * (every answer says where to complain). Returns the outbox id.
 */
export async function mailRequester(
  app: RequestDeps,
  db: Db,
  ix: RegisterIndex | undefined,
  sub: SubmissionRow,
  orgId: string,
  template: MailTemplate,
  input: Omit<MailInput, 'lang' | 'company' | 'reference' | 'authority'>,
  /** The request the mail belongs to: the outbox row gets its id and company (mailOrgOf). */
  request: { id: string; org_id: string; scope: RequestScope } | null,
): Promise<string> {
  // The register is read before any transaction opens (PGlite has one connection): pass it in.
  const org = ix?.organization(orgId);
  const auth = ix?.authorityOf(orgId);
  const lang = sub.lang;
  const { subject, text } = renderMail(template, {
    ...input,
    lang,
    company: org?.legalName ?? orgId,
    reference: referenceOf(sub.id),
    authority: auth ? { name: t(auth.name, lang), web: auth.web, email: auth.email } : undefined,
  });
  return enqueueMail(
    db,
    {
      to: sub.email,
      template,
      lang,
      subject,
      body: text,
      requestId: request?.id ?? null,
      orgId: request ? mailOrgOf(request) : null,
    },
    app.now(),
  );
}

/** What the customer is told at a step of their request, and the timeline event that records it. */
export type Telling = {
  template: MailTemplate;
  input: Omit<MailInput, 'lang' | 'company' | 'reference' | 'authority'>;
  event: string;
  at: Date;
  note?: string | null;
  /** The event's details; the mail's id is added as `mail`. */
  details?: Record<string, unknown>;
  auditReason?: string | null;
};

/**
 * Tell the customer (the mail in their language, from the request's company) and record it on the
 * timeline, in `tx`. Returns the mail's id. `sub` saves a read when the caller holds the submission.
 */
export async function tellRequester(
  app: RequestDeps,
  tx: Db,
  ix: RegisterIndex | undefined,
  actor: Actor,
  req: RequestRow,
  telling: Telling,
  sub?: SubmissionRow,
): Promise<string> {
  const submission = sub ?? (await getSubmission(tx, req.submission_id, await submissionKeys(app, tx)));
  const mail = await mailRequester(app, tx, ix, submission, req.org_id, telling.template, telling.input, req);
  await addEvent(tx, actor, req, telling.event, {
    at: telling.at,
    note: telling.note,
    details: { ...telling.details, mail },
    auditReason: telling.auditReason,
  });
  return mail;
}

/**
 * A use case's step the customer is told of: its change and the telling in one transaction; then the
 * mail goes out (a failure leaves it pending) and the request is read back.
 */
export async function changeAndTell(
  app: RequestDeps,
  actor: Actor,
  req: RequestRow,
  telling: Telling,
  change?: (tx: Db) => Promise<unknown>,
): Promise<RequestRow> {
  const ix = await registerIndex(app);
  await app.db.transaction(async (tx) => {
    if (change) await change(tx);
    await tellRequester(app, tx, ix, actor, req, telling);
  });
  await flushMail(app);
  return getRequest(app.db, req.id);
}

/** The acknowledgement of a verified request: the mail (due date, authority) and its timeline event. */
export async function acknowledge(
  app: RequestDeps,
  tx: Db,
  ix: RegisterIndex | undefined,
  actor: Actor,
  sub: SubmissionRow,
  req: RequestRow,
  at: Date,
): Promise<void> {
  await tellRequester(
    app,
    tx,
    ix,
    actor,
    req,
    {
      template: 'acknowledgement',
      input: { type: req.type, dueDate: req.due_date },
      event: 'acknowledged',
      at,
      details: { template: 'acknowledgement' },
    },
    sub,
  );
}

/**
 * Try to send what is in the outbox now; a failure leaves mail pending (shown in the console) and is
 * logged by outbox id and error code, never the address or the server's words.
 */
export async function flushMail(app: RequestDeps): Promise<void> {
  try {
    await deliverOutbox(app.db, { url: app.config.smtpUrl, from: app.config.mailFrom }, app.now(), app.log);
  } catch (err) {
    // Not the answer's concern: the mail stays pending for the next delivery, and the outbox view shows it.
    app.log.warn(errorFields(err), 'mail: the outbox could not be delivered');
  }
}
