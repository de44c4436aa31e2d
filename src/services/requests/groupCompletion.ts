/**
 * One answer to a group request: the requests a group request became (one per company that knows the
 * customer) complete one by one, each without a mail of its own; when the last of them is closed, the
 * customer gets ONE completion mail from the group's contact point that gives every company's outcome (the
 * note each completion recorded, in the customer's language) with the files of each, and names each
 * company's authority. The siblings are serialised on the group request's row (FOR UPDATE), so two
 * completions at once cannot both leave the answer to the other.
 */
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { type Language, t } from '../../core/register/schema.ts';
import type { AuthorityRef } from '../../core/requests/mail-templates.ts';
import { OUTCOME_WORDS } from '../../core/requests/outcome.ts';
import { isOpen } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import { downloadLink } from './deliverResult.ts';
import {
  addEvent,
  getRequest,
  getSubmission,
  mailRequester,
  normaliseRow,
  type RequestDeps,
  type RequestRow,
  submissionKeys,
} from './store.ts';

/** The files a run hands over, by artifact: the delivery's file name. */
export const DELIVERED_FILES = {
  'extract.html': 'register-extract.html',
  'extract.pdf': 'register-extract.pdf',
  'extract.json': 'register-extract.json',
  'portability.zip': 'your-data.zip',
} as const;
export type DeliveredArtifact = keyof typeof DELIVERED_FILES;

/** The links of a request's delivered files, labelled in the language, in the order of DELIVERED_FILES. */
export async function fileLines(
  app: RequestDeps,
  db: Db,
  requestId: string,
  lang: Language,
): Promise<string[]> {
  const have = await db.query<{ id: string; filename: string; expires_at: Date }>(
    'SELECT id, filename, expires_at FROM dsr_deliveries WHERE request_id = $1 AND deleted_at IS NULL',
    [requestId],
  );
  const out: string[] = [];
  for (const [artifact, filename] of Object.entries(DELIVERED_FILES) as [DeliveredArtifact, string][]) {
    const d = have.find((h) => h.filename === filename);
    if (d)
      out.push(
        `${OUTCOME_WORDS[lang].fileLabels[artifact]}: ${downloadLink(app, d.id, new Date(d.expires_at))}`,
      );
  }
  return out;
}

/**
 * After a request of a group request was closed (in `tx`): whether the customer is answered now (false:
 * another company's request is still open and the answer waits for it), and when the last closed, the one
 * mail covering every company. Returns 'single' for a request that is not part of a group request.
 */
export async function groupAnswer(
  app: RequestDeps,
  tx: Db,
  ix: RegisterIndex | undefined,
  actor: Actor,
  req: RequestRow,
  self: { note: string | null },
): Promise<'single' | 'waiting' | 'answered'> {
  const parentId = req.scope.parent;
  if (!parentId) return 'single';
  await tx.query('SELECT id FROM dsr_requests WHERE id = $1 FOR UPDATE', [parentId]);
  const siblings = (
    await tx.query<RequestRow>(`SELECT * FROM dsr_requests WHERE scope->>'parent' = $1 ORDER BY id`, [
      parentId,
    ])
  ).map(normaliseRow);
  if (siblings.length < 2) return 'single';
  if (siblings.some((s) => s.id !== req.id && isOpen(s.state))) return 'waiting';
  const parent = await getRequest(tx, parentId);
  const sub = await getSubmission(tx, req.submission_id, await submissionKeys(app, tx));
  const lang = sub.lang;
  const outcomes: { company: string; text: string }[] = [];
  const authorities = new Map<string, AuthorityRef & { orgs: string[] }>();
  for (const s of siblings) {
    if (s.state !== 'completed') continue;
    const company = ix?.organization(s.org_id)?.legalName ?? s.org_id;
    const note =
      s.id === req.id
        ? self.note
        : ((
            await tx.query<{ note: string | null }>(
              `SELECT note FROM dsr_events WHERE request_id = $1 AND kind = 'completed' ORDER BY id DESC LIMIT 1`,
              [s.id],
            )
          )[0]?.note ?? null);
    const files = await fileLines(app, tx, s.id, lang);
    outcomes.push({ company, text: [note ?? '', ...files].filter(Boolean).join('\n') });
    const auth = ix?.authorityOf(s.org_id);
    if (auth) {
      const a = authorities.get(auth.web) ?? {
        name: t(auth.name, lang),
        web: auth.web,
        ...(auth.email ? { email: auth.email } : {}),
        orgs: [],
      };
      a.orgs.push(company);
      authorities.set(auth.web, a);
    }
  }
  const mail = await mailRequester(
    app,
    tx,
    ix,
    sub,
    parent.org_id,
    'completion',
    {
      type: req.type,
      outcomes,
      authorities: [...authorities.values()].map(({ orgs, ...a }) => ({
        ...a,
        ...(authorities.size > 1 ? { companies: orgs.join(', ') } : {}),
      })),
    },
    parent,
  );
  await addEvent(tx, actor, parent, 'group-answered', {
    at: app.now(),
    details: { mail, requests: siblings.map((s) => s.id) },
  });
  return 'answered';
}
