/**
 * Retention in the console and the API: what the next run would do per rule (a dry run that records
 * nothing, with a chart), the past runs (counts per system, collection, rule and action), and a button to
 * run now. Every run is group-wide (it sweeps the databases the companies share), so seeing runs and the
 * preview needs `retention:read`, and starting one `retention:run`, in every company of the group
 * (src/services/retention/access.ts); the route's permission is only the first gate.
 */
import type { FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { BackgroundWork } from '../../workers.ts';
import { notFound, precondition, validationError } from '../../core/errors.ts';
import { type Html, html, raw } from '../../core/html.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { t } from '../../core/register/schema.ts';
import { groupOf } from '../../services/register/group.ts';
import {
  assertMayReadRetention,
  assertMayRunRetention,
  getRetentionRunFor,
  listRetentionRunsFor,
  mayReadRetention,
  mayRunRetention,
  previewRetentionFor,
  startRetentionRun,
} from '../../services/retention/access.ts';
import { retentionToday } from '../../services/retention/runRetention.ts';
import { OUTCOME_ACTIONS, type RetentionOutcome } from '../../services/retention/sweep.ts';
import { barChartSvg } from '../../web/charts.ts';
import { consolePage } from '../../web/layout.ts';
import { sendPage } from '../pages.ts';
import { callerOf } from '../actor.ts';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day written YYYY-MM-DD')
  .optional();
const runParams = z.object({ id: z.string().uuid('a run id') });
const runBody = z.object({
  dryRun: z.boolean().default(false),
  today: day.describe('Only with dryRun, or a day up to today: a later day would erase data early.'),
});
const consoleRunBody = z.object({ mode: z.enum(['dry-run', 'run']) });

const LABEL: Record<RetentionOutcome['action'], string> = {
  delete: 'Delete',
  anonymise: 'Anonymise',
  mask: 'Mask',
  'erase-due': 'Erase (day come)',
  keep: 'Keep (legal rule)',
  held: 'Held (marker)',
  blocked: 'Waiting',
};

function byRule(outcomes: RetentionOutcome[]) {
  const rows = new Map<string, { collections: Set<string>; counts: Record<string, number> }>();
  for (const o of outcomes) {
    const rule = o.action === 'keep' ? o.detail : o.rule;
    if (!rows.has(rule)) rows.set(rule, { collections: new Set(), counts: {} });
    const r = rows.get(rule)!;
    r.collections.add(`${o.system}: ${o.collection}`);
    r.counts[o.action] = (r.counts[o.action] ?? 0) + o.rows;
  }
  return [...rows].sort(([a], [b]) => a.localeCompare(b));
}

function outcomeTable(outcomes: RetentionOutcome[]): Html {
  if (!outcomes.length) return html`<p>Nothing.</p>`;
  return html`<table class="data"><thead><tr><th>System</th><th>Collection</th><th>Rule</th><th>Action</th><th>Detail</th><th>Rows</th></tr></thead><tbody>${outcomes.map(
    (o) =>
      html`<tr><td>${o.system}</td><td>${o.collection}</td><td>${o.rule}</td><td>${LABEL[o.action]}</td><td>${o.detail}</td><td>${String(o.rows)}</td></tr>`,
  )}</tbody></table>`;
}

export async function retentionRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const worker = () => {
    if (!workers.retention)
      throw precondition(
        'retention-not-running',
        'No databases are connected for retention.',
        'Start Ombud with its systems (`ombud start` connects the demo systems), or run `ombud retention run --connection KEY=URL`.',
      );
    return workers.retention;
  };
  const index = async (): Promise<RegisterIndex> => {
    const r = await app.registers.get();
    if (!r) throw notFound('register', 'current');
    return r.index;
  };
  const start = async (req: FastifyRequest, input: { dryRun: boolean; today?: string }) => {
    const caller = callerOf(req);
    const group = await groupOf(app.registers);
    // The caller's right first: a caller who may not run learns nothing more (not even whether this
    // process sweeps) and no run is recorded.
    assertMayRunRetention(caller, group);
    const retention = worker();
    const ix = await index();
    const realToday = retentionToday(ix, app.now());
    if (!input.dryRun && input.today && input.today > realToday)
      throw validationError(
        'retention-day-in-future',
        `A run for ${input.today} would erase data before its day (today is ${realToday}).`,
        [{ path: ['today'], message: 'after today', hint: 'Preview a later day with dryRun: true.' }],
      );
    const deps = await retention.deps(caller.actor);
    return startRetentionRun(deps, caller, group, {
      dryRun: input.dryRun,
      ...(input.today ? { today: input.today } : {}),
    });
  };

  server.get(
    '/console/retention',
    {
      config: { permission: 'retention:read' },
      schema: { hide: true, querystring: z.object({ day }) },
    },
    async (req, reply) => {
      const { day: requested } = req.query;
      const ix = await index();
      const caller = callerOf(req);
      const group = await groupOf(app.registers);
      const runs = await listRetentionRunsFor(app.db, caller, group, 30);
      const canRun = mayRunRetention(caller.principal, group);
      const mayRead = mayReadRetention(caller.principal, group);
      let preview: Html;
      if (!mayRead) {
        preview = html`<p id="retention-group-wide">A retention run sweeps the databases every company of the group shares, so its preview and its runs are shown to those who may read retention in every company (${group.orgIds.join(', ')}).</p>`;
      } else if (!workers.retention) {
        preview = html`<p>No databases are connected for retention in this process. Start Ombud with its systems (<code>ombud start</code> connects the demo systems), or run <code>ombud retention run</code>.</p>`;
      } else {
        const p = await previewRetentionFor(
          await workers.retention.deps(caller.actor),
          caller,
          group,
          requested,
        );
        const perAction: Record<string, number> = {};
        for (const o of p.outcomes) perAction[LABEL[o.action]] = (perAction[LABEL[o.action]] ?? 0) + o.rows;
        const uncovered = p.plan.datasets.flatMap((d) =>
          d.collections.filter((c) => !c.purpose).map((c) => `${d.system}: ${c.collection}`),
        );
        const rules = byRule(p.outcomes);
        preview = html`<p>What a run for <strong>${p.today}</strong> would do, counted now in every connected database (nothing is changed or recorded).</p>
<form method="get" action="/console/retention" class="inline"><label for="day">Preview another day</label> <input id="day" name="day" type="date" value="${p.today}"> <button class="secondary" type="submit">Preview</button></form>
<div class="diagram">${raw(
          barChartSvg(
            `Rows per action on ${p.today}`,
            perAction,
            OUTCOME_ACTIONS.map((a) => LABEL[a]),
          ),
        )}</div>
${
  rules.length
    ? html`<table class="data"><thead><tr><th>Rule</th><th>Collections</th>${OUTCOME_ACTIONS.map((a) => html`<th>${LABEL[a]}</th>`)}</tr></thead><tbody>${rules.map(
        ([rule, r]) => {
          const reg = ix.retentionRules.get(rule);
          return html`<tr><td><strong>${rule}</strong>${reg ? html`<div class="muted">${t(reg.name, 'en')}: ${reg.duration} from ${reg.trigger}, then ${reg.action}</div>` : ''}</td><td>${[...r.collections].join(', ')}</td>${OUTCOME_ACTIONS.map((a) => html`<td>${String(r.counts[a] ?? 0)}</td>`)}</tr>`;
        },
      )}</tbody></table>`
    : html`<p>Nothing is due on this day.</p>`
}
${uncovered.length ? html`<p class="muted">No retention rule annotated (not swept): ${uncovered.join(', ')}.</p>` : ''}`;
      }
      const body = html`<h1>Retention</h1>
<p>Each night the retention run erases rows kept under a rule whose day has come and ends the purpose rules the dataset annotations name: rows past their rule are deleted or anonymised, unless a legal rule (bookkeeping, a legal hold) keeps them, which then get the day they may be erased. Rows restricted under Art. 18 are held. Every run is recorded and audited.</p>
<section class="card"><h2>Next due work</h2>${preview}
${
  canRun && workers.retention
    ? html`<form method="post" action="/console/retention/run" class="inline"><input type="hidden" name="mode" value="dry-run"><button class="secondary" type="submit">Dry run now (recorded)</button></form>
<form method="post" action="/console/retention/run" class="inline"><input type="hidden" name="mode" value="run"><button type="submit">Run now</button></form>`
    : ''
}</section>
<section class="card"><h2>Past runs</h2>${
        runs.length
          ? html`<table class="data"><thead><tr><th>Started</th><th>Day</th><th>Kind</th><th>Status</th><th>Rows</th><th>By</th></tr></thead><tbody>${runs.map(
              (r) =>
                html`<tr><td><a href="/console/retention/runs/${r.id}">${r.startedAt.slice(0, 16).replace('T', ' ')}</a></td><td>${r.today}</td><td>${r.dryRun ? 'dry run' : r.runKey?.startsWith('daily:') ? 'daily' : 'run'}</td><td>${r.status}${r.error ? html`<div class="muted">${r.error}</div>` : ''}</td><td>${
                  Object.entries(r.totals)
                    .map(([a, n]) => `${LABEL[a as RetentionOutcome['action']] ?? a} ${n}`)
                    .join(', ') || '—'
                }</td><td>${r.startedBy}</td></tr>`,
            )}</tbody></table>`
          : mayRead
            ? html`<p>No runs yet.</p>`
            : html`<p>Runs cover every company, so they are listed for those who may read retention in each.</p>`
      }</section>`;
      return sendPage(reply, consolePage({ title: 'Retention', active: 'retention', body }), {
        private: true,
      });
    },
  );

  server.get(
    '/console/retention/runs/:id',
    { config: { permission: 'retention:read' }, schema: { hide: true, params: runParams } },
    async (req, reply) => {
      const { id } = req.params;
      const run = await getRetentionRunFor(app.db, callerOf(req), await groupOf(app.registers), id);
      const body = html`<h1>Retention run ${run.today}${run.dryRun ? ' (dry run)' : ''}</h1>
<p><a href="/console/retention">All runs</a></p>
<section class="card"><p>Status: <strong>${run.status}</strong>. Started ${run.startedAt} by ${run.startedBy}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}; attempts: ${String(run.attempts)}.</p>
${run.error ? html`<p class="error">${run.error}</p>` : ''}
<table class="data"><thead><tr><th>Database</th><th>System</th><th>Status</th><th>Attempts</th><th>Note</th></tr></thead><tbody>${run.steps.map(
        (s) =>
          html`<tr><td>${s.dataset}</td><td>${s.system}</td><td>${s.status}</td><td>${String(s.attempts)}</td><td>${s.error ?? (s.recovered ? 'committed by an earlier attempt; outcome read back from the database' : '')}</td></tr>`,
      )}</tbody></table></section>
<section class="card"><h2>Outcomes</h2>${outcomeTable(run.outcomes)}</section>`;
      return sendPage(reply, consolePage({ title: 'Retention run', active: 'retention', body }), {
        private: true,
      });
    },
  );

  server.post(
    '/console/retention/run',
    { config: { permission: 'retention:run' }, schema: { hide: true, body: consoleRunBody } },
    async (req, reply) => {
      const { mode } = req.body;
      const res = await start(req, { dryRun: mode === 'dry-run' });
      return reply.redirect(`/console/retention/runs/${res.runId}`, 303);
    },
  );

  server.get(
    '/api/v1/retention/runs',
    {
      config: { permission: 'retention:read' },
      schema: {
        tags: ['retention'],
        summary: 'Past retention runs, newest first, with rows per action',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
      },
    },
    async (req) => ({
      runs: await listRetentionRunsFor(app.db, callerOf(req), await groupOf(app.registers), req.query.limit),
    }),
  );

  server.get(
    '/api/v1/retention/runs/:id',
    {
      config: { permission: 'retention:read' },
      schema: {
        tags: ['retention'],
        summary: 'A retention run: steps per database and outcome counts',
        params: runParams,
      },
    },
    async (req) => {
      const { id } = req.params;
      return getRetentionRunFor(app.db, callerOf(req), await groupOf(app.registers), id);
    },
  );

  server.get(
    '/api/v1/retention/preview',
    {
      config: { permission: 'retention:read' },
      schema: {
        tags: ['retention'],
        summary:
          'What a retention run would do on a day (default today): counts, nothing changed or recorded',
        querystring: z.object({ today: day }),
      },
    },
    async (req) => {
      const { today } = req.query;
      const caller = callerOf(req);
      const group = await groupOf(app.registers);
      const retention = worker();
      assertMayReadRetention(caller, group);
      const p = await previewRetentionFor(await retention.deps(caller.actor), caller, group, today);
      return { today: p.today, outcomes: p.outcomes };
    },
  );

  server.post(
    '/api/v1/retention/runs',
    {
      config: { permission: 'retention:run' },
      schema: {
        tags: ['retention'],
        summary: 'Run retention now (or a recorded dry run); returns the run',
        body: runBody,
      },
    },
    async (req, reply) => {
      const res = await start(req, req.body);
      // A failed run is recorded with the reason per database; the body says so (status: failed).
      return reply.code(201).send(res);
    },
  );
}
