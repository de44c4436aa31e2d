/**
 * Requests to the whole group, over HTTP on PGlite and on the PostgreSQL server, with mail to a real SMTP
 * server: held at the contact point until the requester is verified (so the reply and the mails before
 * verification are the same for every address), then located and split into one linked request per company
 * that knows the customer; known nowhere, the "we hold no personal data" answer, by an agent when not every
 * system could be searched. The console shows the split.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDatabase } from '../support/db.ts';
import { type CaughtMail, codeIn, type DeskServer, startDesk } from './support.ts';
import { grantNewsletter, jsonApi, objectToSurveys, postForm } from '../support/http.ts';

const ALL = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];
const NOW = new Date('2026-03-02T09:00:00Z');

describeEachDatabase('requests to the whole group', (kind) => {
  let s: DeskServer;
  beforeAll(async () => {
    s = await startDesk({ kind, now: () => NOW });
  });
  afterAll(async () => s?.close());

  const api = jsonApi(() => s);
  const file = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/api/v1/requests', body, { 'idempotency-key': crypto.randomUUID() });
    expect(res.statusCode).toBe(201);
    return res.json();
  };
  const get = async (id: string) => (await api('GET', `/api/v1/requests/${id}`)).json();
  /** Make the address known at a company: it holds an objection (to surveys, not a joint purpose). */
  const knownAt = async (orgId: string, email: string) =>
    expect((await objectToSurveys(api, orgId, email)).statusCode).toBe(201);
  const audit = (target: string) =>
    s.app.db.query<{ action: string; details: Record<string, unknown> }>(
      'SELECT action, details FROM audit_log WHERE target = $1 ORDER BY seq',
      [target],
    );
  const mailsTo = (email: string) => s.smtp.mails.filter((m) => m.to.includes(email));

  test('P33 P25 a group request is held at the contact point until verified; known at 2 of 4 companies it becomes exactly 2 linked requests', async () => {
    const email = 'two.of.four@example.org';
    await knownAt('bokhylla', email);
    await knownAt('provendo', email);
    const sub = await file({ company: 'group', type: 'access', email });
    expect(sub.requests).toHaveLength(1);
    const group = sub.requests[0];
    expect(group).toMatchObject({ orgId: 'nestit-group', state: 'received', groupRequest: null });
    expect(group.group.candidates).toEqual(ALL);
    // Nothing is looked up before the requester proves the address.
    expect((await get(group.id)).timeline.map((e: { kind: string }) => e.kind)).toEqual(['received']);
    expect((await audit(group.id)).map((a) => a.action)).toEqual(['request.received']);

    const code = codeIn(await s.smtp.waitFor((m) => m.to.includes(email) && codeIn(m) !== undefined))!;
    const v = await api('POST', '/api/v1/requests/verify-code', { submissionId: sub.submissionId, code });
    expect(v.json()).toMatchObject({ verified: true, requests: 2 });

    const g = await get(group.id);
    expect(g.request.state).toBe('split');
    expect(g.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'received',
      'verified',
      'located',
      'split',
    ]);
    expect(g.request.decision.routing).toMatchObject({
      known: ['bokhylla', 'provendo'],
      viaJoint: [],
      notKnown: ['nestit-group', 'nestit-sverige'],
      unchecked: ['customer-service-system', 'webshop'],
    });
    const ids = g.request.decision.routing.requests as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(['bokhylla', 'provendo']);
    expect(g.request.linked.sort()).toEqual(Object.values(ids).sort());
    const bok = (await get(ids.bokhylla!)).request;
    const pro = (await get(ids.provendo!)).request;
    for (const [r, other] of [
      [bok, pro],
      [pro, bok],
    ]) {
      expect(r).toMatchObject({
        state: 'verified',
        verificationMethod: 'email-code',
        groupRequest: group.id,
        receivedAt: group.receivedAt,
        type: 'access',
        reference: group.reference,
      });
      expect(r.linked.sort()).toEqual([group.id, other.id].sort());
    }
    // The joint arrangement is handled once: its contact point is not asked, so the first of the two.
    expect(bok.jointHandledBy).toBeNull();
    expect(pro.jointHandledBy).toBe(bok.id);
    // Each company acknowledges with its own due date and its own authority.
    const acks = await Promise.all(
      ['Bokhyllan Nordic AB', 'Provendo AS'].map((c) =>
        s.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith(`${c}: we have received`)),
      ),
    );
    expect(acks[0]!.text).toContain(bok.dueDate);
    expect(acks[0]!.text).toContain('IMY');
    expect(acks[1]!.text).toContain('Datatilsynet');
    expect(mailsTo(email).filter((m) => /received your request/.test(m.subject))).toHaveLength(2);

    // The audit log records which sources matched, as names and counts only.
    const located = (await audit(group.id)).find((a) => a.action === 'request.located')!;
    expect(located.details).toMatchObject({
      sources: { bokhylla: { consent: 1 }, provendo: { consent: 1 } },
      known: ['bokhylla', 'provendo'],
      notKnown: ['nestit-group', 'nestit-sverige'],
    });
    expect(JSON.stringify(await s.app.db.query('SELECT * FROM audit_log'))).not.toContain(email);

    // The desk shows the split: which companies, and that the others were checked.
    const page = (await api('GET', `/console/requests/${group.id}`)).body;
    expect(page).toContain('Group request: where the customer is known');
    expect(page).toMatch(
      /data-company="bokhylla"><td>Bokhyllan Nordic AB<\/td><td class="result">knows the customer<\/td><td>consent \(1\)/,
    );
    expect(page).toMatch(
      /data-company="nestit-sverige"><td>NestIT Sverige AB<\/td><td class="result">checked: does not know the customer/,
    );
    expect(page).toContain(`/console/requests/${ids.provendo}`);
    expect(page).toContain('Not searched (no connection): customer-service-system, webshop');
    expect(page).toContain('Checked, not known: NestIT Group AB, NestIT Sverige AB.');
    const child = (await api('GET', `/console/requests/${ids.provendo}`)).body;
    expect(child).toContain(`href="/console/requests/${group.id}" id="group-request"`);
    const queue = (await api('GET', '/console/requests')).body;
    expect(queue).toContain('All companies <small class="muted">(group request)</small>');
    // The requester's confirmation page lists the two companies' requests, not the group request.
    const list = await s.app.db.query<{ state: string }>(
      'SELECT state FROM dsr_requests WHERE submission_id = $1 ORDER BY state',
      [sub.submissionId],
    );
    expect(list.map((r) => r.state)).toEqual(['split', 'verified', 'verified']);
  });

  test('P33 data held through the joint arrangement goes once, to its contact point; the company that knows the customer gets its own request', async () => {
    const email = 'joint.and.own@example.org';
    await knownAt('nestit-sverige', email);
    const grant = await grantNewsletter(api, 'nestit-sverige', email);
    expect(grant.statusCode).toBe(201);
    const key = crypto.randomUUID();
    const body = { company: 'group', type: 'erasure', email, sendCode: false };
    const sub = (await api('POST', '/api/v1/requests', body, { 'idempotency-key': key })).json();
    const group = sub.requests[0];
    await api('POST', `/api/v1/requests/${group.id}/verify-manual`, { note: 'ID seen: driving licence' });
    // A retry with the same key gets the same reply: the one request filed, not the requests it became.
    const retry = await api('POST', '/api/v1/requests', body, { 'idempotency-key': key });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().requests.map((r: { id: string }) => r.id)).toEqual([group.id]);
    const g = (await get(group.id)).request;
    expect(g.state).toBe('split');
    expect(g.decision.routing).toMatchObject({
      known: ['nestit-sverige'],
      viaJoint: ['nestit-group'],
      notKnown: ['bokhylla', 'provendo'],
      sources: { 'nestit-sverige': { consent: 1 }, 'joint:central-marketing': { consent: 1 } },
    });
    const ids = g.decision.routing.requests as Record<string, string>;
    const contact = (await get(ids['nestit-group']!)).request;
    const sverige = (await get(ids['nestit-sverige']!)).request;
    expect(contact.jointHandledBy).toBeNull();
    expect(sverige.jointHandledBy).toBe(contact.id);
    expect(sverige.verificationMethod).toBe('manual-id-check');
    const page = (await api('GET', `/console/requests/${group.id}`)).body;
    expect(page).toContain('answers for the joint purposes');
    expect(page).toContain('central-marketing: consent (1)');
  });

  test('P25 P31 known nowhere and not every system searched: the requester hears when we answer, an agent answers that no company holds data about them', async () => {
    const email = 'nobody.here@example.org';
    const sub = await file({ company: 'group', type: 'access', email, lang: 'sv', sendCode: false });
    const group = sub.requests[0];
    await api('POST', `/api/v1/requests/${group.id}/verify-manual`, { note: 'ID seen: passport' });
    let g = await get(group.id);
    expect(g.request.state).toBe('verified');
    expect(g.request.decision.routing).toMatchObject({
      known: [],
      notKnown: ALL,
      awaitingAgent: true,
      unchecked: ['customer-service-system', 'webshop'],
    });
    expect(g.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'received',
      'verified',
      'located',
      'acknowledged',
      'awaiting-agent',
    ]);
    const ack = await s.smtp.waitFor((m) => m.to.includes(email) && /tagit emot/.test(m.subject));
    expect(ack.subject.startsWith('NestIT Group AB:')).toBe(true);
    // The group request is not carried out itself.
    const approve = await api('POST', `/api/v1/requests/${group.id}/approve`, {});
    expect(approve.statusCode).toBe(409);
    expect(approve.json().code).toBe('group-request-not-routed');
    const complete = await api('POST', `/api/v1/requests/${group.id}/complete`, { outcome: 'Nothing found' });
    expect(complete.json().code).toBe('group-request-not-routed');
    const page = (await api('GET', `/console/requests/${group.id}`)).body;
    expect(page).toContain('Answer: we hold no personal data');
    expect(page).toContain('Send to these companies');

    const noNote = await api('POST', `/api/v1/requests/${group.id}/no-data`, { note: '' });
    expect(noNote.statusCode).toBe(422);
    expect(noNote.json().code).toBe('no-data-check-missing');
    const done = await api('POST', `/api/v1/requests/${group.id}/no-data`, {
      note: 'CRM and messaging searched by hand: no match',
    });
    expect(done.statusCode).toBe(200);
    g = await get(group.id);
    expect(g.request.state).toBe('completed');
    expect(g.request.decision.noData).toMatchObject({ answeredBy: 'agent', known: [] });
    const answer = await s.smtp.waitFor((m) => m.to.includes(email) && /svar på din begäran/.test(m.subject));
    expect(answer.text).toContain('behandlar inga personuppgifter om dig');
    expect(answer.text).toContain('artikel 15');
    expect(answer.text).toContain('NestIT Group AB, NestIT Sverige AB, Bokhyllan Nordic AB, Provendo AS');
    // Four companies under two authorities: both named, each with its companies.
    expect(answer.text).toMatch(
      /Integritetsskyddsmyndigheten \(IMY\).*\(NestIT Group AB, NestIT Sverige AB, Bokhyllan Nordic AB\)/,
    );
    expect(answer.text).toMatch(/Datatilsynet.*\(Provendo AS\)/);
    const again = await api('POST', `/api/v1/requests/${group.id}/route`, {
      orgIds: ['bokhylla'],
      note: 'Found in the CRM of Bokhyllan',
    });
    expect(again.statusCode).toBe(409);
  });

  test('P05 P33 an agent who finds the customer where the locator could not look sends the group request to that company', async () => {
    const email = 'found.by.hand@example.org';
    const sub = await file({ company: 'group', type: 'rectification', email, sendCode: false });
    const group = sub.requests[0];
    const early = await api('POST', `/api/v1/requests/${group.id}/route`, {
      orgIds: ['bokhylla'],
      note: 'Found in the CRM of Bokhyllan',
    });
    expect(early.statusCode).toBe(409);
    await api('POST', `/api/v1/requests/${group.id}/verify-manual`, { note: 'ID seen: passport' });
    const bad = await api('POST', `/api/v1/requests/${group.id}/route`, { orgIds: ['elsewhere'], note: 'x' });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['note', 'orgIds']);
    // From the console: tick the company, say where the customer was found.
    const ok = await postForm(
      s.server,
      `/console/requests/${group.id}/action`,
      { action: 'route', 'org-bokhylla': 'on', note: 'Found in the CRM of Bokhyllan' },
      s.origin,
    );
    expect(ok.statusCode).toBe(303);
    const g = (await get(group.id)).request;
    expect(g.decision.routing).toMatchObject({ known: ['bokhylla'], byAgent: true });
    const child = (await get(g.decision.routing.requests.bokhylla)).request;
    expect(child).toMatchObject({ orgId: 'bokhylla', state: 'verified', groupRequest: group.id });
    await s.smtp.waitFor(
      (m) => m.to.includes(email) && /^Bokhyllan Nordic AB: we have received/.test(m.subject),
    );
    const t = (await get(group.id)).timeline;
    expect(t.at(-1).note).toContain('Found by an agent: Found in the CRM of Bokhyllan');
  });

  test('P05 the reply and every mail before verification are byte-identical for a known and an unknown address (besides the code)', async () => {
    // Same length, so even the mail's line folding cannot differ.
    const known = 'kkkk.known1@example.org';
    const unknown = 'uuuu.never1@example.org';
    expect(known.length).toBe(unknown.length);
    await knownAt('bokhylla', known);
    await knownAt('nestit-sverige', known);
    const norm = (x: string) =>
      x
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID')
        .replace(/R-[0-9A-F]{8}/g, 'REF');
    // The API for customer-service tools.
    const a = await api(
      'POST',
      '/api/v1/requests',
      { company: 'group', type: 'erasure', email: known },
      { 'idempotency-key': crypto.randomUUID() },
    );
    const b = await api(
      'POST',
      '/api/v1/requests',
      { company: 'group', type: 'erasure', email: unknown },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(a.statusCode).toBe(b.statusCode);
    expect(norm(a.body)).toBe(norm(b.body));
    // The public form: the redirect and the page it leads to.
    const form = (email: string) =>
      postForm(s.server, '/privacy/requests', { company: 'group', type: 'access', email, lang: 'nb' });
    const fa = await form(known);
    const fb = await form(unknown);
    expect(fa.statusCode).toBe(303);
    expect(norm(String(fa.headers.location))).toBe(norm(String(fb.headers.location)));
    const pa = await s.server.inject({ method: 'GET', url: String(fa.headers.location) });
    const pb = await s.server.inject({ method: 'GET', url: String(fb.headers.location) });
    expect(norm(pa.body)).toBe(norm(pb.body));
    // The mails: two code mails each (API, form), identical but for the code, the address and the envelope.
    const codeMails = async (email: string) => {
      const deadline = Date.now() + 5000;
      while (mailsTo(email).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return mailsTo(email);
    };
    const ma = await codeMails(known);
    const mb = await codeMails(unknown);
    expect(ma).toHaveLength(2);
    expect(mb).toHaveLength(2);
    const strip = (m: CaughtMail, email: string) => ({
      subject: m.subject,
      text: m.text.replace(codeIn(m)!, 'CODE'),
      // The envelope differs by nature (outbox id, message id, date, recipient); then the code.
      raw: m.raw
        .replace(/^(Message-ID|Date|X-Ombud-Outbox-ID): .*$/gim, '$1: …')
        .replaceAll(email, 'ADDRESS')
        .replace(/ er \d{6}\./, ' er CODE.')
        .replace(/ is \d{6}\./, ' is CODE.'),
    });
    for (const i of [0, 1]) expect(strip(ma[i]!, known)).toEqual(strip(mb[i]!, unknown));
    expect(ma[1]!.subject).toBe('NestIT Group AB: bekreftelseskoden din');
    // The outbox holds the same rows, and nothing was located for either.
    const outbox = (email: string) =>
      s.app.db.query<{ template: string; lang: string; subject: string; body: string }>(
        'SELECT template, lang, subject, body FROM mail_outbox WHERE to_address = $1 ORDER BY created_at, subject',
        [email],
      );
    const codeless = (rows: { body: string }[]) =>
      rows.map((r) => ({ ...r, body: r.body.replace(/\d{6}/, 'CODE') }));
    expect(codeless(await outbox(known))).toEqual(codeless(await outbox(unknown)));
    const located = await s.app.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'request.located' AND target = ANY($1::text[])",
      [[a.json().requests[0].id, b.json().requests[0].id]],
    );
    expect(located).toEqual([]);
  });
});
