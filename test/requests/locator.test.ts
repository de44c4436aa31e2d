/**
 * The subject locator against the demo systems on the real servers (the web shop and the customer service
 * on PostgreSQL and MariaDB, both ways round): hits in the consent register and in the systems, each row
 * attributed to its company; a verified group request split accordingly; known nowhere with every system
 * searched, the no-data answer at once; a system that cannot be searched leaves that answer to an agent.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { holderKey } from '../../src/core/fulfilment/controllers.ts';
import { locateSubject, locateSummary } from '../../src/services/requests/locateSubject.ts';
import { type NestitSystems, nestitSystems, richCustomer } from '../support/nestit-systems.ts';
import { freshSystemDb, type SystemDb } from '../support/systems.ts';
import { type DeskServer, startDesk } from './support.ts';
import { jsonApi } from '../support/http.ts';

const ALL = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];

describe.each([
  { webshop: 'postgres', service: 'mysql' },
  { webshop: 'mysql', service: 'postgres' },
] as const)('subject locator: web shop on $webshop, customer service on $service', (layout) => {
  let sys: NestitSystems;
  let s: DeskServer;
  beforeAll(async () => {
    sys = await nestitSystems({ customers: 60, ...layout });
    s = await startDesk();
    s.workers.subjectSystems = { datasets: sys.datasets, connectors: sys.connectors };
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await sys?.close();
  });

  const api = jsonApi(() => s);
  const groupRequest = async (email: string, type = 'access') => {
    const res = await api(
      'POST',
      '/api/v1/requests',
      { company: 'group', type, email, sendCode: false },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(res.statusCode).toBe(201);
    const id = res.json().requests[0].id as string;
    const v = await api('POST', `/api/v1/requests/${id}/verify-manual`, { note: 'ID seen: passport' });
    expect(v.statusCode).toBe(200);
    return (await api('GET', `/api/v1/requests/${id}`)).json();
  };
  /** A Swedish customer with a newsletter sign-up (the last one: the first tests use the first). */
  const swede = async () => {
    const c = sys.webshop.connector;
    const [row] = await c.query<{ email: string }>(
      `SELECT c.email FROM customers c WHERE c.country = ${c.param(1)}
         AND EXISTS (SELECT 1 FROM newsletter_signups n WHERE n.email = c.email) ORDER BY c.id DESC`,
      ['SE'],
    );
    return row!.email;
  };
  const norwegian = async () => {
    const c = sys.webshop.connector;
    const [row] = await c.query<{ email: string }>(
      `SELECT email FROM customers WHERE country = ${c.param(1)} ORDER BY id`,
      ['NO'],
    );
    return row!.email;
  };

  test('P33 hits in the consent register and in both systems, each attributed to its company (ids and counts only)', async () => {
    const rich = await richCustomer(sys, 'nestit-sverige');
    // The same address is also in Bokhyllan's consent register.
    const obj = await api(
      'POST',
      '/api/v1/organizations/bokhylla/objections',
      { identity: { email: rich.email.toUpperCase() }, purpose: 'surveys', channel: '*' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(obj.statusCode).toBe(201);
    const ix = (await s.app.registers.get())!.index;
    const r = await locateSubject(s.app, s.workers.subjectSystems, ix, {
      email: ` ${rich.email} `,
      candidates: ALL,
    });
    expect(r.failed).toEqual([]);
    expect(r.unchecked).toEqual([]);
    expect(r.searched.map((x) => `${x.source}:${x.status}`)).toEqual([
      'consent:searched',
      'nestit_customer_service:searched',
      'nestit_webshop:searched',
    ]);
    const summary = locateSummary(r);
    expect(summary.bokhylla).toEqual({ consent: 1 });
    // The web shop (customers by market, invoices by seller, the rest by the row they point at).
    expect(summary['nestit-sverige']).toMatchObject({
      'nestit_webshop.customers': 1,
      'nestit_webshop.invoices': expect.any(Number),
      'nestit_webshop.orders': expect.any(Number),
      // The customer service system on the other server: cases by the customer number they carry.
      'nestit_customer_service.cases': expect.any(Number),
      'nestit_customer_service.messages': expect.any(Number),
    });
    // The newsletter is run jointly: the arrangement holds it.
    expect(summary['joint:central-marketing']).toEqual({ 'nestit_webshop.newsletter_signups': 1 });
    expect(Object.keys(summary).sort()).toEqual(['bokhylla', 'joint:central-marketing', 'nestit-sverige']);
    // Nothing but sources, companies and counts.
    expect(JSON.stringify(r)).not.toContain(rich.email);
    expect(JSON.stringify(r)).not.toContain(rich.customerNumber);
    expect(r.hits.every((h) => Number.isInteger(h.rows) && holderKey(h.holder).length > 0)).toBe(true);
  });

  test('P33 a verified group request for a Swedish demo customer becomes NestIT Sverige (own data) and NestIT Group (joint purposes); a Norwegian one Provendo', async () => {
    const email = await swede();
    const g = await groupRequest(email);
    expect(g.request.state).toBe('split');
    expect(g.request.decision.routing).toMatchObject({
      known: ['nestit-sverige'],
      viaJoint: ['nestit-group'],
      notKnown: ['bokhylla', 'provendo'],
      unchecked: [],
      failed: [],
    });
    const ids = g.request.decision.routing.requests;
    expect(Object.keys(ids).sort()).toEqual(['nestit-group', 'nestit-sverige']);
    const located = g.timeline.find((e: { kind: string }) => e.kind === 'located');
    expect(located.details.sources['nestit-sverige']['nestit_webshop.customers']).toBe(1);
    const audit = JSON.stringify(await s.app.db.query('SELECT * FROM audit_log'));
    expect(audit).not.toContain(email);
    expect(audit).toContain('nestit_webshop.customers');

    const no = await groupRequest(await norwegian(), 'erasure');
    expect(no.request.decision.routing.known).toEqual(['provendo']);
    expect(no.request.decision.routing.notKnown).toEqual(
      expect.arrayContaining(['nestit-sverige', 'bokhylla']),
    );
  });

  test('P25 P31 known nowhere, every system searched: the requester is told at once that no personal data is held', async () => {
    const email = `nobody.${layout.webshop}@example.org`;
    const g = await groupRequest(email, 'access');
    expect(g.request.state).toBe('completed');
    expect(g.request.decision.noData).toMatchObject({
      answeredBy: 'locator',
      known: [],
      unchecked: [],
      failed: [],
    });
    expect(g.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'received',
      'verified',
      'located',
      'completed',
    ]);
    const mail = await s.smtp.waitFor(
      (m) => m.to.includes(email) && /answer to your request/.test(m.subject),
    );
    expect(mail.subject.startsWith('NestIT Group AB:')).toBe(true);
    expect(mail.text).toContain('we hold no personal data about you');
    expect(mail.text).toContain('Article 15');
    expect(mail.text).toContain('Datatilsynet');
    expect(mail.text).toContain('IMY');
    // Only the answer: no acknowledgement, no company's request.
    expect(s.smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(1);
    const rows = await s.app.db.query(
      'SELECT id FROM dsr_requests WHERE submission_id = (SELECT submission_id FROM dsr_requests WHERE id = $1)',
      [g.request.id],
    );
    expect(rows).toHaveLength(1);
  });

  describe('a system that cannot be searched', () => {
    let empty: SystemDb;
    beforeAll(async () => {
      empty = await freshSystemDb(layout.webshop);
    });
    afterAll(async () => empty?.drop());

    test('P25 leaves the no-data answer to an agent and records the failure by code, never by message', async () => {
      const saved = s.workers.subjectSystems;
      s.workers.subjectSystems = {
        datasets: sys.datasets,
        connectors: new Map([...sys.connectors, ['nestit_webshop', empty.connector]]),
      };
      try {
        const email = `unsearchable.${layout.webshop}@example.org`;
        const g = await groupRequest(email);
        expect(g.request.state).toBe('verified');
        expect(g.request.decision.routing).toMatchObject({ awaitingAgent: true, failed: ['nestit_webshop'] });
        const located = g.timeline.find((e: { kind: string }) => e.kind === 'located');
        const searched = located.details.searched as string[];
        expect(searched).toContain('nestit_customer_service:searched');
        expect(searched.find((x) => x.startsWith('nestit_webshop:failed:'))).toMatch(
          /^nestit_webshop:failed:[\w.-]+$/,
        );
        expect(JSON.stringify(located)).not.toContain(email);
        const page = (await api('GET', `/console/requests/${g.request.id}`)).body;
        expect(page).toContain('Search failed: nestit_webshop');
      } finally {
        s.workers.subjectSystems = saved;
      }
    });
  });
});
