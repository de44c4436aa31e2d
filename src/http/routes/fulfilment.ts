/**
 * Fulfilment progress and artifacts: the status of a request's fulfilment (steps, counts, "failed, why")
 * for the console and the request desk, and the extract and ZIP for handing over. Downloads are audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { notFound } from '../../core/errors.ts';
import { html } from '../../core/html.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { getArtifact, getFulfilmentStatus } from '../../services/fulfilment/runFulfilment.ts';
import { consolePage } from '../../web/layout.ts';
import { principalActor } from '../actor.ts';

const params = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'a request id: letters, digits, . _ : -'),
});
const artifactParams = params.extend({
  name: z.enum(['extract.json', 'extract.html', 'portability.zip']),
});

export async function fulfilmentRoutes(server: FastifyInstance, app: App) {
  server.get(
    '/api/v1/fulfilment/:requestId',
    {
      config: { permission: 'fulfilment:read' },
      schema: { tags: ['fulfilment'], summary: "Progress of a request's fulfilment", params },
    },
    async (req) => {
      const { requestId } = req.params as z.infer<typeof params>;
      const st = await getFulfilmentStatus(app.db, requestId);
      if (!st) throw notFound('fulfilment', requestId);
      return st;
    },
  );

  server.get(
    '/api/v1/fulfilment/:requestId/artifacts/:name',
    {
      config: { permission: 'fulfilment:read' },
      schema: {
        tags: ['fulfilment'],
        summary: 'The register extract (JSON or HTML) or the portability ZIP',
        params: artifactParams,
      },
    },
    async (req, reply) => {
      const { requestId, name } = req.params as z.infer<typeof artifactParams>;
      const a = await getArtifact(app.db, requestId, name);
      if (!a) throw notFound('artifact', `${requestId}/${name}`);
      await recordAudit(app.db, {
        actor: principalActor(req),
        action: 'fulfilment.artifact.read',
        target: `request:${requestId}`,
        details: { artifact: name },
      });
      reply.header('content-type', a.contentType);
      if (name !== 'extract.html')
        reply.header('content-disposition', `attachment; filename="${requestId}-${name}"`);
      return reply.send(a.body);
    },
  );

  server.get(
    '/console/fulfilment/:requestId',
    { config: { permission: 'fulfilment:read' }, schema: { hide: true, params } },
    async (req, reply) => {
      const { requestId } = req.params as z.infer<typeof params>;
      const st = await getFulfilmentStatus(app.db, requestId);
      if (!st) throw notFound('fulfilment', requestId);
      const pct = st.stepsTotal ? Math.round((100 * st.stepsDone) / st.stepsTotal) : 0;
      const body = html`<h1>Fulfilment of request ${requestId}</h1>
<div class="card"><p><strong>${st.type}</strong> · <span class="pill ${st.status === 'failed' ? 'warn' : ''}">${st.status}</span> · ${st.stepsDone} of ${st.stepsTotal} steps (${pct}%) · attempt ${st.attempts}</p>
<progress max="100" value="${pct}" style="width:100%"></progress>
${st.status === 'failed' ? html`<p><strong>Failed:</strong> ${st.error ?? 'unknown reason'}. Fix the cause, then retry: the run resumes at the failed step.</p>` : ''}</div>
<section class="card"><h2>Steps</h2><table class="data"><thead><tr><th>Step</th><th>Status</th><th>Attempts</th><th>Collections</th><th>Why</th></tr></thead><tbody>
${st.steps.map(
  (s) => html`<tr><td>${s.step}</td><td>${s.status}</td><td>${s.attempts}</td>
<td>${(s.outcome ?? []).map((o) => html`<div>${o.system} / ${o.collection}: ${o.erased} changed, ${o.kept} kept${o.keptUnder.length ? ` (${o.keptUnder.map((k) => `${k.rule} until ${k.eraseOn}`).join(', ')})` : ''}</div>`)}</td>
<td>${s.error ?? ''}</td></tr>`,
)}</tbody></table></section>`;
      return reply
        .type('text/html')
        .send(consolePage({ title: `Fulfilment ${requestId}`, active: 'requests', body }));
    },
  );
}
