import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { type Html, html, raw } from '../../core/html.ts';
import { LEGAL_BASIS_ARTICLE, t } from '../../core/register/schema.ts';
import { auditQuery, searchAuditFor } from '../auditSearch.ts';
import { noticeVersions } from '../../services/notice/publishNotice.ts';
import { dataFlowSvg } from '../../web/diagram.ts';
import { consolePage, viewerCan } from '../../web/layout.ts';

const page = (title: string, active: string, body: Html | Html[]) => consolePage({ title, active, body });

export async function consoleRoutes(server: RouteServer, app: App) {
  const noRegister = html`<div class="card"><h1>No register yet</h1><p>Run <code>ombud register apply DIR</code> to load one.</p></div>`;

  server.get(
    '/console',
    { config: { permission: 'register:read' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await app.registers.get();
      if (!r) return reply.type('text/html').send(page('Register', 'register', noRegister));
      const { index: ix, stored } = r;
      // The record of processing is offered only where the person may read it (ropa:read in that company).
      const ropa = (orgId: string) =>
        viewerCan('ropa:read', orgId)
          ? html`Record of processing: <a href="/api/v1/organizations/${orgId}/ropa?format=csv" download>CSV</a> · <a href="/api/v1/organizations/${orgId}/ropa?format=json">JSON</a><br>`
          : '';
      const reg = ix.register;
      const body = html`<h1>${reg.group.name} — register</h1>
<p class="muted">Revision ${stored.revision} · applied ${stored.appliedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by ${stored.appliedBy}</p>
<div class="grid">
${[
  ['Organizations', reg.organizations.length],
  ['Purposes', reg.purposes.length],
  ['Systems and recipients', reg.systems.length],
  ['Cookies', reg.cookies.length],
].map(([l, n]) => html`<div class="card"><div class="stat">${n}</div><div class="muted">${l}</div></div>`)}
</div>
<section class="card"><h2>Organizations (controllers)</h2><table class="data"><thead><tr><th>Company</th><th>Country</th><th>Authority</th><th>Purposes</th><th>Documents</th></tr></thead><tbody>
${reg.organizations.map(
  (
    o,
  ) => html`<tr><td><strong>${o.legalName}</strong><br><span class="muted">${o.registrationNumber} · ${o.id}</span></td><td>${o.country}</td><td>${ix.authorityOf(o.id) ? t(ix.authorityOf(o.id)!.name, 'en') : o.supervisoryAuthority}</td>
<td>${ix.purposesOf(o.id).length}</td><td>${ropa(o.id)}<a href="/privacy/${o.id}">Notice</a></td></tr>`,
)}</tbody></table></section>
<section class="card"><h2>Purposes</h2><table class="data"><thead><tr><th>Purpose</th><th>Data and legal basis</th><th>Controllers</th><th>Recipients</th><th>Retention</th></tr></thead><tbody>
${reg.purposes.map(
  (
    p,
  ) => html`<tr id="purpose-${p.id}"><td><strong>${t(p.name, 'en')}</strong><br><span class="muted">${p.id} · ${p.dataUse}</span></td>
<td>${p.data.map((d) => html`<div><span class="pill ${d.legalBasis}" title="${LEGAL_BASIS_ARTICLE[d.legalBasis]}">${d.legalBasis}</span> ${d.categories.map((c) => ix.categoryLabel(c, 'en')).join(', ')}</div>`)}</td>
<td>${p.controllers.map((c) => html`<span class="pill">${c}</span>`)}</td>
<td>${ix.recipientsOf(p).map((s) => html`<span class="pill${ix.thirdCountries(s).length ? ' warn' : ''}">${s.name}</span>`)}</td>
<td>${p.retention ? (ix.retentionRules.get(p.retention) ? t(ix.retentionRules.get(p.retention)!.name, 'en') : p.retention) : ''}</td></tr>`,
)}</tbody></table></section>
<section class="card"><h2>Systems and recipients</h2><table class="data"><thead><tr><th>System</th><th>Role</th><th>Operator</th><th>DPA</th><th>Storage</th><th>Transfer</th></tr></thead><tbody>
${reg.systems.map(
  (
    s,
  ) => html`<tr><td><strong>${s.name}</strong><br><span class="muted">${s.id}</span></td><td>${s.role}</td><td>${s.operator}</td><td>${s.role === 'processor' ? (s.dpa ? 'yes' : html`<span class="pill warn">missing</span>`) : '—'}</td>
<td>${s.storageCountries.join(', ')}</td><td>${s.transfer ? `${s.transfer.mechanism} (${s.transfer.countries.join(', ')})` : ''}</td></tr>`,
)}</tbody></table></section>`;
      return reply.type('text/html').send(page('Register', 'register', body));
    },
  );

  server.get(
    '/console/data-flow',
    {
      config: { permission: 'register:read' },
      schema: { hide: true, querystring: z.object({ org: z.string().max(64).optional() }) },
    },
    async (req, reply) => {
      const r = await app.registers.get();
      if (!r) return reply.type('text/html').send(page('Data flow', 'diagram', noRegister));
      const org = req.query.org;
      const orgId = org && r.index.organization(org) ? org : undefined;
      const body = html`<h1>Data flow</h1>
<p><a href="/console/data-flow"${raw(orgId ? '' : ' aria-current="page"')}>Whole group</a> ${r.index.register.organizations.map(
        (o) => html`· <a href="/console/data-flow?org=${o.id}">${o.legalName}</a> `,
      )}</p><div class="card diagram">${dataFlowSvg(r.index, orgId)}</div>`;
      return reply.type('text/html').send(page('Data flow', 'diagram', body));
    },
  );

  server.get(
    '/console/data-flow.svg',
    { config: { permission: 'register:read' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await app.registers.get();
      return reply
        .type('image/svg+xml')
        .send(r ? dataFlowSvg(r.index).value : '<svg xmlns="http://www.w3.org/2000/svg"/>');
    },
  );

  server.get(
    '/console/notices',
    { config: { permission: 'register:read' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await app.registers.get();
      if (!r) return reply.type('text/html').send(page('Notices', 'notices', noRegister));
      const sections: Html[] = [];
      for (const o of r.index.register.organizations) {
        const versions = await noticeVersions(app.db, o.id);
        sections.push(
          html`<section class="card"><h2>${o.legalName}</h2>${
            versions.length === 0
              ? html`<p class="muted">No notice published. Run <code>ombud notice publish --org ${o.id} --effective YYYY-MM-DD</code>.</p>`
              : html`<table class="data"><thead><tr><th>Version</th><th>Effective</th><th>Published</th><th>Change</th><th>What changed</th></tr></thead><tbody>${[
                  ...versions,
                ]
                  .reverse()
                  .map(
                    (
                      v,
                    ) => html`<tr><td><a href="/privacy/${o.id}?version=${v.version}">v${v.version}</a></td><td>${v.effectiveDate}</td><td>${v.publishedAt.toISOString().slice(0, 10)}</td>
<td>${v.version === 1 ? 'first version' : v.material ? html`<span class="pill warn">material</span>` : 'minor'}</td><td>${v.changes.length === 0 ? '' : html`<ul>${v.changes.map((c) => html`<li>${c.material ? html`<strong>${c.reason}</strong>` : c.reason}</li>`)}</ul>`}</td></tr>`,
                  )}</tbody></table>`
          }</section>`,
        );
      }
      return reply
        .type('text/html')
        .send(page('Notices', 'notices', html`<h1>Published notices</h1>${sections}`));
    },
  );

  server.get(
    '/console/audit',
    {
      config: { permission: 'audit:read' },
      schema: { hide: true, querystring: auditQuery.omit({ format: true }) },
    },
    async (req, reply) => {
      const q = req.query;
      const { rows, scope } = await searchAuditFor(app, req, q);
      const csv = new URLSearchParams(
        Object.entries({ ...q, format: 'csv' }).filter(([, v]) => v !== undefined && v !== '') as [
          string,
          string,
        ][],
      );
      const field = (name: string, label: string, value: string | undefined, ph: string) =>
        html`<div><label for="${name}">${label}</label><input id="${name}" name="${name}" value="${value ?? ''}" placeholder="${ph}"></div>`;
      const body = html`<h1>Audit log</h1>
<form class="card" method="get" action="/console/audit" role="search"><div class="grid">
${field('action', 'Action (prefix)', q.action, 'apikey.')}${field('actor', 'Actor', q.actor, 'user:…')}${field('org', 'Organization', q.org, scope === 'all' ? 'any' : scope.join(', '))}${field('target', 'Target', q.target, 'user:…')}
</div><p><button type="submit">Search</button> <a class="button secondary" href="/api/v1/audit?${csv.toString()}" download>Export CSV</a> <a href="/api/v1/audit/verify">Verify chain</a></p></form>
<div class="card"><p class="muted">${rows.length} entries${scope === 'all' ? '' : html` in ${scope.join(', ')}`}, newest first.</p><table class="data"><thead><tr><th>#</th><th>When (UTC)</th><th>Actor</th><th>Organization</th><th>Action</th><th>Target</th><th>Hash</th></tr></thead><tbody>${rows.map(
        (r) =>
          html`<tr><td>${r.seq}</td><td>${new Date(r.at).toISOString().replace('T', ' ').slice(0, 19)}</td><td>${r.actor}</td><td>${r.org_id ?? ''}</td><td>${r.action}</td><td>${r.target ?? ''}</td><td><code>${r.hash.slice(0, 12)}</code></td></tr>`,
      )}</tbody></table></div>`;
      return reply.type('text/html').send(page('Audit log', 'audit', body));
    },
  );
}
