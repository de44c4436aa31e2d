/**
 * The request desk end to end over HTTP, on PGlite and on the PostgreSQL server: intake by API with an
 * idempotency key, due dates from the core, verification by e-mail code read from a real SMTP server,
 * extension (and its refusal after the due date), refusal, objections, group requests and the audit trail.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tickingClock } from '../support/clock.ts';
import { describeEachDatabase } from '../support/db.ts';
import { codeIn, type DeskServer, startDesk } from './support.ts';
import { grantNewsletter, jsonApi, objectToSurveys } from '../support/http.ts';

const EMAIL = 'anna.svensson@example.org';
/** The desk's clock: after the letters below (received 2026-01-05 and 2026-03-02), never before them. */
const NOW = '2026-03-10T09:00:00Z';

describeEachDatabase('request desk', (kind) => {
  let s: DeskServer;
  beforeAll(async () => {
    s = await startDesk({ kind, now: tickingClock(NOW) });
  });
  afterAll(async () => s?.close());

  const api = jsonApi(() => s);

  const file = async (body: Record<string, unknown>, key = crypto.randomUUID()) => {
    const res = await api('POST', '/api/v1/requests', body, { 'idempotency-key': key });
    return { res, json: res.json() };
  };

  test('P05 P32 customer service files a request by API with the real receivedAt; due date is the earlier of the legal month and the promised 30 days', async () => {
    const { res, json } = await file({
      company: 'nestit-group',
      type: 'access',
      email: 'letter.writer@example.org',
      receivedAt: '2026-03-02T09:30:00+01:00',
      sendCode: false,
    });
    expect(res.statusCode).toBe(201);
    const [r] = json.requests;
    expect(r.state).toBe('received');
    // Legal month: 2026-04-02 (Thursday). Promise: 30 days after 2026-03-02 = 2026-04-01, earlier.
    expect(r.legalDueDate).toBe('2026-04-02');
    expect(r.dueDate).toBe('2026-04-01');
    // Extension at most two months from receipt (the notice), on a working day: 2026-05-04 (2 May is a Saturday).
    expect(r.maxDueDate).toBe('2026-05-04');
    expect(r.receivedAt).toBe('2026-03-02T08:30:00.000Z');
  });

  test('P05 duplicate submissions with one Idempotency-Key create one request; a different body with the key is refused', async () => {
    const body = { company: 'bokhylla', type: 'erasure', email: 'dup@example.org', sendCode: false };
    const key = crypto.randomUUID();
    const a = await file(body, key);
    const b = await file(body, key);
    expect(a.res.statusCode).toBe(201);
    expect(b.res.statusCode).toBe(200);
    expect(b.json.replayed).toBe(true);
    expect(b.json.requests.map((r: { id: string }) => r.id)).toEqual(
      a.json.requests.map((r: { id: string }) => r.id),
    );
    const all = (await api('GET', '/api/v1/requests?company=bokhylla&type=erasure')).json().requests;
    expect(all.filter((r: { id: string }) => r.id === a.json.requests[0].id)).toHaveLength(1);
    expect(all).toHaveLength(1);
    const c = await file({ ...body, type: 'access' }, key);
    expect(c.res.statusCode).toBe(409);
    expect(c.res.headers['content-type']).toContain('application/problem+json');
    expect(c.json.code).toBe('idempotency-key-reused');
    const missing = await api('POST', '/api/v1/requests', body);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].path).toContain('idempotency-key');
  });

  test('P25 P31 an access request is verified with the e-mail code; the acknowledgement names the due date and IMY', async () => {
    const { json } = await file({ company: 'nestit-sverige', type: 'access', email: EMAIL, lang: 'sv' });
    const mail = await s.smtp.waitFor((m) => m.to.includes(EMAIL) && /verifieringskod/.test(m.subject));
    const code = codeIn(mail)!;
    expect(code).toMatch(/^\d{6}$/);
    const wrong = await api('POST', '/api/v1/requests/verify-code', {
      submissionId: json.submissionId,
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(422);
    const ok = await api('POST', '/api/v1/requests/verify-code', { submissionId: json.submissionId, code });
    expect(ok.statusCode).toBe(200);
    const r = (await api('GET', `/api/v1/requests/${json.requests[0].id}`)).json();
    expect(r.request.state).toBe('verified');
    expect(r.request.verificationMethod).toBe('email-code');
    const ack = await s.smtp.waitFor((m) => m.to.includes(EMAIL) && /tagit emot/.test(m.subject));
    expect(ack.text).toContain(r.request.dueDate);
    expect(ack.text).toContain('Integritetsskyddsmyndigheten (IMY)');
    expect(ack.text).toContain('kostnadsfritt');
    expect(r.timeline.map((e: { kind: string }) => e.kind)).toEqual(['received', 'verified', 'acknowledged']);
    // Work it and complete it: the completion also names where to complain.
    await api('POST', `/api/v1/requests/${r.request.id}/start`, {});
    const done = await api('POST', `/api/v1/requests/${r.request.id}/complete`, {
      outcome: 'Registerutdraget är bifogat.',
    });
    expect(done.json().request.state).toBe('completed');
    const completion = await s.smtp.waitFor((m) => m.to.includes(EMAIL) && /klar/.test(m.subject));
    expect(completion.text).toContain('Integritetsskyddsmyndigheten');
  });

  test('P31 every answer of the Norwegian company names Datatilsynet', async () => {
    const email = 'ola.nordmann@example.org';
    const { json } = await file({ company: 'provendo', type: 'rectification', email, lang: 'nb' });
    const code = codeIn(await s.smtp.waitFor((m) => m.to.includes(email)))!;
    await api('POST', '/api/v1/requests/verify-code', { submissionId: json.submissionId, code });
    const ack = await s.smtp.waitFor((m) => m.to.includes(email) && /mottatt/.test(m.subject));
    expect(ack.text).toContain('Datatilsynet');
    expect(ack.text).not.toContain('IMY');
  });

  test('P32 an extension needs a reason, tells the customer, and stays within two months', async () => {
    const email = 'extend.me@example.org';
    const { json } = await file({ company: 'nestit-group', type: 'access', email });
    const id = json.requests[0].id;
    const noReason = await api('POST', `/api/v1/requests/${id}/extend`, {});
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().code).toBe('extension-reason-missing');
    const tooFar = await api('POST', `/api/v1/requests/${id}/extend`, {
      reason: 'Many systems to search',
      dueDate: '2099-01-01',
    });
    expect(tooFar.json().code).toBe('extension-beyond-maximum');
    const ok = await api('POST', `/api/v1/requests/${id}/extend`, {
      reason: 'Your data is held in many systems',
    });
    expect(ok.statusCode).toBe(200);
    const r = ok.json().request;
    expect(r.state).toBe('extended');
    expect(r.dueDate).toBe(json.requests[0].maxDueDate);
    const notice = await s.smtp.waitFor((m) => m.to.includes(email) && /more time/.test(m.subject));
    expect(notice.text).toContain('Your data is held in many systems');
    expect(notice.text).toContain(r.dueDate);
    expect(notice.text).toContain('IMY');
  });

  test('P32 an extension after the due date is refused with a clear problem+json', async () => {
    const { json } = await file({
      company: 'nestit-group',
      type: 'access',
      email: 'late@example.org',
      receivedAt: '2026-01-05T10:00:00+01:00',
      sendCode: false,
    });
    const res = await api('POST', `/api/v1/requests/${json.requests[0].id}/extend`, { reason: 'Complex' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json();
    expect(p.code).toBe('extension-too-late');
    expect(p.detail).toContain(`The due date ${json.requests[0].dueDate} has passed`);
    expect(p.hint).toMatch(/Answer the request now/);
  });

  test('P32 refusal only as manifestly unfounded or excessive, after a warning, with a recorded reason; a partial refusal says what', async () => {
    const email = 'refuse.me@example.org';
    const { json } = await file({ company: 'nestit-group', type: 'access', email, sendCode: false });
    const id = json.requests[0].id;
    const bad = await api('POST', `/api/v1/requests/${id}/refuse`, { ground: 'too-busy', reason: 'x' });
    expect(bad.statusCode).toBe(400);
    const unwarned = await api('POST', `/api/v1/requests/${id}/refuse`, {
      ground: 'excessive',
      reason: 'Fifth identical request this month',
    });
    expect(unwarned.statusCode).toBe(409);
    expect(unwarned.json().code).toBe('refusal-not-warned');
    const warn = await api('POST', `/api/v1/requests/${id}/refusal-warning`, {
      ground: 'excessive',
      reason: 'Fifth identical request this month',
    });
    expect(warn.statusCode).toBe(200);
    const warning = await s.smtp.waitFor((m) => m.to.includes(email) && /about your request/.test(m.subject));
    expect(warning.text).toContain('reasonable fee');
    const noParts = await api('POST', `/api/v1/requests/${id}/refuse`, {
      ground: 'excessive',
      reason: 'Fifth identical request this month',
      partial: true,
    });
    expect(noParts.statusCode).toBe(422);
    expect(noParts.json().errors.map((e: { path: string }) => e.path)).toContain('refusedParts');
    const ok = await api('POST', `/api/v1/requests/${id}/refuse`, {
      ground: 'excessive',
      reason: 'Fifth identical request this month',
      partial: true,
      refusedParts: 'Further copies of the same extract',
    });
    expect(ok.json().request.state).toBe('refused');
    expect(ok.json().request.decision.refusal.ground).toBe('excessive');
    const mail = await s.smtp.waitFor((m) => m.to.includes(email) && /decision/.test(m.subject));
    expect(mail.text).toContain('Refused: Further copies of the same extract');
    expect(mail.text).toContain('Reason: Fifth identical request this month');
    expect(mail.text).toContain('complain to the supervisory authority');
  });

  test('P27 an objection to direct marketing is applied at once; one to a legitimate interest waits for a person and a balancing note', async () => {
    const email = 'objector@example.org';
    const dm = await file({
      company: 'nestit-sverige',
      type: 'objection',
      purposeId: 'communication-subscription',
      email,
    });
    const code = codeIn(await s.smtp.waitFor((m) => m.to.includes(email) && /code/.test(m.subject)))!;
    await api('POST', '/api/v1/requests/verify-code', { submissionId: dm.json.submissionId, code });
    const applied = (await api('GET', `/api/v1/requests/${dm.json.requests[0].id}`)).json();
    expect(applied.request.state).toBe('completed');
    expect(applied.request.decision.stop.kind).toBe('objection-direct-marketing');
    // A joint purpose is stopped for every controller of the arrangement.
    expect(applied.request.decision.stop.orgs).toEqual(expect.arrayContaining(['nestit-group', 'provendo']));

    const li = await file({
      company: 'nestit-sverige',
      type: 'objection',
      purposeId: 'surveys',
      email: 'li@example.org',
      sendCode: false,
    });
    const id = li.json.requests[0].id;
    await api('POST', `/api/v1/requests/${id}/verify-manual`, {
      note: 'ID seen: driving licence, name matches',
    });
    const early = await api('POST', `/api/v1/requests/${id}/complete`, {});
    expect(early.json().code).toBe('objection-undecided');
    const noNote = await api('POST', `/api/v1/requests/${id}/objection-decision`, {
      upheld: false,
      balancingNote: '',
    });
    expect(noNote.statusCode).toBe(422);
    expect(noNote.json().code).toBe('balancing-note-missing');
    const decided = await api('POST', `/api/v1/requests/${id}/objection-decision`, {
      upheld: true,
      balancingNote: 'Survey invitations are not needed to serve the customer; their interest prevails.',
    });
    expect(decided.json().request.state).toBe('completed');
    expect(decided.json().request.decision.objection).toMatchObject({
      upheld: true,
      kind: 'legitimate-interest',
    });
  });

  test('P33 a request to the whole group creates one linked request per controller where the customer is known; joint purposes are handled once, by the contact point', async () => {
    const email = 'everywhere@example.org';
    // Known at every company (each holds an objection of theirs) and in the jointly run marketing systems.
    for (const orgId of ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'])
      expect((await objectToSurveys(api, orgId, email)).statusCode).toBe(201);
    await grantNewsletter(api, 'bokhylla', email);
    const { json } = await file({ company: 'group', type: 'erasure', email, sendCode: false });
    // On receipt: one request, held at the contact point, for all four companies.
    expect(json.requests).toHaveLength(1);
    const group = json.requests[0];
    expect(group).toMatchObject({ orgId: 'nestit-group', state: 'received', linked: [] });
    expect(group.group.candidates).toEqual(['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo']);
    await api('POST', `/api/v1/requests/${group.id}/verify-manual`, { note: 'ID seen: passport' });
    const split = (await api('GET', `/api/v1/requests/${group.id}`)).json().request;
    expect(split.state).toBe('split');
    const requests = await Promise.all(
      split.linked.map(async (id: string) => (await api('GET', `/api/v1/requests/${id}`)).json().request),
    );
    expect(requests.map((r: { orgId: string }) => r.orgId).sort()).toEqual([
      'bokhylla',
      'nestit-group',
      'nestit-sverige',
      'provendo',
    ]);
    const contact = requests.find((r: { orgId: string }) => r.orgId === 'nestit-group');
    for (const r of requests) {
      expect(r.linked).toHaveLength(4); // the three others and the group request
      expect(r.linked).toContain(group.id);
      expect(r.groupRequest).toBe(group.id);
      expect(r.receivedAt).toBe(group.receivedAt);
      expect(r.state).toBe('verified');
      if (r.orgId !== 'nestit-group') expect(r.jointHandledBy).toBe(contact.id);
    }
    expect(contact.jointHandledBy).toBeNull();
    // Each request has its own company's due date and authority.
    const provendo = requests.find((r: { orgId: string }) => r.orgId === 'provendo');
    expect(provendo.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('P05 every step is in the audit log with ids only: no e-mail address anywhere in it', async () => {
    const { json } = await file({
      company: 'nestit-group',
      type: 'portability',
      email: 'secret.person@example.org',
      sendCode: false,
    });
    const id = json.requests[0].id;
    await api('POST', `/api/v1/requests/${id}/verify-manual`, { note: 'ID seen in shop' });
    await api('POST', `/api/v1/requests/${id}/assign`, { assignee: 'agent@nestit.example' });
    await api('POST', `/api/v1/requests/${id}/notes`, { note: 'Customer called back' });
    await api('POST', `/api/v1/requests/${id}/start`, {});
    await api('POST', `/api/v1/requests/${id}/complete`, { outcome: 'Sent as JSON' });
    const rows = await s.app.db.query<{ action: string; details: unknown; reason: string | null }>(
      'SELECT action, details, reason FROM audit_log WHERE target = $1 ORDER BY seq',
      [id],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'request.received',
      'request.verified',
      'request.acknowledged',
      'request.assigned',
      'request.note',
      'request.started',
      'request.completed',
    ]);
    const all = JSON.stringify(await s.app.db.query('SELECT * FROM audit_log'));
    expect(all).not.toContain('@example.org');
    expect(all).not.toContain('Customer called back');
    const t = (await api('GET', `/api/v1/requests/${id}`)).json().timeline;
    expect(t.find((e: { kind: string }) => e.kind === 'note').note).toBe('Customer called back');
  });

  test('P05 bad input is problem+json naming the field', async () => {
    const res = await api(
      'POST',
      '/api/v1/requests',
      { company: 'nestit-group', type: 'telepathy', email: 'nope' },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(res.statusCode).toBe(400);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.type', 'body.email']));
    const unknown = await file({ company: 'no-such-co', type: 'access', email: 'x@example.org' });
    expect(unknown.res.statusCode).toBe(422);
    expect(unknown.json.errors[0].path).toBe('company');
    const future = await file({
      company: 'nestit-group',
      type: 'access',
      email: 'x@example.org',
      receivedAt: '2999-01-01T00:00:00Z',
    });
    expect(future.json.code).toBe('received-in-future');
    const anon = await s.server.inject({ method: 'GET', url: '/api/v1/requests' });
    expect(anon.statusCode).toBe(401);
  });
});
