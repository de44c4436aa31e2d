/**
 * `access` and `portability`: the subject's rows, read once, become expiring artifacts (the extract as JSON,
 * HTML and, with a renderer, PDF; the portability ZIP). An access that asked services (collect steps)
 * waits (`pending`) until each has answered, and shows their answers in the extract.
 */
import type { Identities } from '../../../core/fulfilment/dataset.ts';
import type { Db } from '../../../storage/db.ts';
import { type Engine, type Located, placeOf, untouched } from '../engine.ts';
import { buildExtract, buildPortable, extractHtml, portableZip, type ServiceData } from '../extract.ts';
import { serviceArtifact, tasksOf } from '../recipients.ts';
import { type Artifact, getArtifact } from '../runStore.ts';
import type { FulfilmentDeps, FulfilmentInput } from '../runTypes.ts';
import { safeError } from '../subject.ts';
import type { RunContext, Step, StepOutput } from './step.ts';

/** The artifacts of an access or a portability, and what was found (read, nothing changed). */
async function extractStep(ctx: RunContext, kind: 'access' | 'portability'): Promise<StepOutput> {
  if (kind === 'access' && (await ctx.collectsPending())) return { status: 'pending' };
  const { deps, engine, input, ids } = ctx;
  const found = await ctx.locate();
  const made = await makeArtifacts(deps, engine, found, input, ctx.now(), kind, ids, ctx.collects);
  const outcome = [...found].map(([id, rows]) => ({
    ...placeOf(engine.node(id)),
    ...untouched(rows, 'none'),
  }));
  return {
    status: 'done',
    outcome,
    notes: made.notes,
    artifacts: made.artifacts,
    dropServiceCopies: kind === 'access' && (ctx.collects || !ctx.fresh),
  };
}

export const accessStep: Step = {
  kind: 'access',
  plan: (p) => (p.type === 'access' ? ['access'] : []),
  run: (ctx) => extractStep(ctx, 'access'),
};

export const portabilityStep: Step = {
  kind: 'portability',
  plan: (p) => (p.type === 'portability' ? ['portability'] : []),
  run: (ctx) => extractStep(ctx, 'portability'),
};

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
      lang: input.lang,
      reference: input.reference,
      publicUrl: deps.publicUrl,
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
