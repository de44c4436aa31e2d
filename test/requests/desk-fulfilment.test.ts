/**
 * The desk's decisions that meet the fulfilment worker (embedded: Ombud and the demo systems as schemas of
 * one PGlite). Rectification: the agent chooses among the data categories the systems hold, a category no
 * system holds is refused before anything is recorded, and a phone number typed at home is stored as the
 * systems store numbers. Fees: a fee stops the run before it starts, and is refused once work has begun.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customerEmail } from '../../src/demo/systems/seed.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { grantNewsletter } from '../support/http.ts';
import { type DeskServer, startDesk } from './support.ts';

describe('the desk and the fulfilment worker (embedded systems)', () => {
  let s: DeskServer;
  let d: DeskApi;
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded' });
    d = await deskApi(s);
  }, 120_000);
  afterAll(async () => s?.close());

  test('P26 a correction of a category no system holds is a 422 naming it and the allowed ones; nothing is recorded; a valid one is carried out in E.164', async () => {
    const email = customerEmail(3);
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'rectification', email });
    const refused = await d.api('POST', `/api/v1/requests/${id}/approve`, {
      corrections: { 'user.name.middle': 'Maria' },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const problem = refused.json();
    expect(problem.code).toBe('correction-category-unknown');
    expect(problem.detail).toContain("'user.name.middle'");
    expect(JSON.stringify(problem.errors)).toContain('user.name.middle');
    expect(JSON.stringify(problem.errors)).toContain('user.name.first');
    // Nothing was recorded: no approval on the timeline, no run.
    const before = (await d.api('GET', `/api/v1/requests/${id}`)).json();
    expect(before.timeline.map((e: { kind: string }) => e.kind)).not.toContain('approved');
    expect((await d.api('GET', `/api/v1/requests/${id}/fulfilment`)).statusCode).toBe(404);

    // The desk offers the categories the systems hold, not a free-text box.
    const page = await s.server.inject({ method: 'GET', url: `/console/requests/${id}`, headers: s.origin });
    expect(page.body).toMatch(/<select id="category" name="category" required>/);
    expect(page.body).toContain('<option value="user.name.first">');
    expect(page.body).not.toContain('<option value="system.operations">');

    const ok = await d.api('POST', `/api/v1/requests/${id}/approve`, {
      corrections: { 'user.contact.phone_number': '070-765 43 21' },
    });
    expect(ok.statusCode).toBe(200);
    await d.waitForState(id!, 'completed');
    const [row] = await s.workers
      .subjectSystems!.connectors.get('nestit_webshop')!
      .query<{ phone: string }>('SELECT phone FROM customers WHERE email = $1', [email]);
    expect(row).toEqual({ phone: '+46707654321' });
  });

  const WARNING = { ground: 'excessive', reason: 'Fifth identical register extract this month' };
  const FEE = { ...WARNING, amount: '150', currency: 'SEK' };
  const kinds = async (id: string) =>
    (await d.api('GET', `/api/v1/requests/${id}`))
      .json()
      .timeline.map((e: { kind: string }) => e.kind) as string[];
  const fileVerifiedByAgent = async (email: string, warnFirst: boolean) => {
    const filed = await d.api(
      'POST',
      '/api/v1/requests',
      {
        company: 'nestit-sverige',
        type: 'access',
        email,
        sendCode: false,
      },
      { 'idempotency-key': crypto.randomUUID() },
    );
    const id = filed.json().requests[0].id as string;
    if (warnFirst)
      expect((await d.api('POST', `/api/v1/requests/${id}/refusal-warning`, WARNING)).statusCode).toBe(200);
    const v = await d.api('POST', `/api/v1/requests/${id}/verify-manual`, {
      note: 'Driving licence seen in shop',
    });
    expect(v.statusCode).toBe(200);
    return id;
  };

  test('P32 a customer warned of a fee waits for the decision: no run starts, the fee is charged, and after payment the agent runs it to the end', async () => {
    const email = customerEmail(5);
    const id = await fileVerifiedByAgent(email, true);
    expect(await kinds(id)).toContain('fulfilment-held');
    expect(await kinds(id)).not.toContain('fulfilment-queued');
    expect((await d.api('GET', `/api/v1/requests/${id}/fulfilment`)).statusCode).toBe(404);

    const fee = await d.api('POST', `/api/v1/requests/${id}/fee`, FEE);
    expect(fee.statusCode).toBe(200);
    expect(fee.json().request.state).toBe('awaiting-payment');
    const paid = await d.api('POST', `/api/v1/requests/${id}/fee/paid`, {});
    expect(paid.statusCode).toBe(200);
    expect(paid.json().request.state).toBe('verified');
    // Still nothing ran while the fee was open; the agent now runs it, and it finishes.
    expect(await kinds(id)).not.toContain('fulfilment-queued');
    expect((await d.api('POST', `/api/v1/requests/${id}/approve`, {})).statusCode).toBe(200);
    const done = await d.waitForState(id, 'completed');
    expect(done.request.state).toBe('completed');
  });

  test('P32 once the run has begun, a fee is refused (409) and the request is not left waiting for payment', async () => {
    const email = customerEmail(7);
    const id = await fileVerifiedByAgent(email, false);
    expect(await kinds(id)).toContain('fulfilment-queued');
    expect((await d.api('POST', `/api/v1/requests/${id}/refusal-warning`, WARNING)).statusCode).toBe(200);
    const fee = await d.api('POST', `/api/v1/requests/${id}/fee`, FEE);
    expect(fee.statusCode).toBe(409);
    expect(fee.json().code).toBe('fee-after-work-began');
    const done = await d.waitForState(id, 'completed');
    expect(done.request.state).toBe('completed');
    expect(await kinds(id)).not.toContain('fee-charged');
  });

  test('P06 P26 a corrected e-mail address reaches the consent register: the new address answers as the old one did, and the old one still suppresses', async () => {
    const old = customerEmail(9);
    const renamed = 'astrid.new.address@example.test';
    const withdrawn = customerEmail(13);
    const renamedToo = 'kari.new.address@example.test';
    const idem = () => ({ 'idempotency-key': crypto.randomUUID() });
    expect((await grantNewsletter(d.api, 'nestit-sverige', old)).statusCode).toBe(201);
    expect((await grantNewsletter(d.api, 'nestit-sverige', withdrawn)).statusCode).toBe(201);
    const withdrawal = await d.api(
      'POST',
      '/api/v1/organizations/nestit-sverige/consents/withdrawals',
      {
        identity: { email: withdrawn },
        purpose: 'communication-subscription',
        channel: 'email',
        source: 'customer-service',
      },
      idem(),
    );
    expect(withdrawal.statusCode).toBe(201);
    const before = await d.contact('nestit-sverige', old, 'communication-subscription');
    expect(before).toMatchObject({ allowed: true });
    expect(await d.contact('nestit-sverige', renamed, 'communication-subscription')).toMatchObject({
      allowed: false,
      reason: 'no-consent',
    });

    for (const [email, to] of [
      [old, renamed],
      [withdrawn, renamedToo],
    ] as const) {
      const filed = await d.api(
        'POST',
        '/api/v1/requests',
        { company: 'nestit-sverige', type: 'rectification', email, sendCode: false },
        idem(),
      );
      const id = filed.json().requests[0].id as string;
      expect(
        (await d.api('POST', `/api/v1/requests/${id}/verify-manual`, { note: 'Passport seen in shop' }))
          .statusCode,
      ).toBe(200);
      const ok = await d.api('POST', `/api/v1/requests/${id}/approve`, {
        corrections: { 'user.contact.email': to },
      });
      expect(ok.statusCode).toBe(200);
      await d.waitForState(id, 'completed');
      const changed = (await d.api('GET', `/api/v1/requests/${id}`))
        .json()
        .timeline.find((e: { kind: string }) => e.kind === 'consent-identity-changed');
      // NestIT Sverige knew the customer; the central-marketing arrangement's companies were asked too.
      expect(changed.details).toEqual({
        'nestit-sverige': 'changed',
        'nestit-group': 'unknown',
        bokhylla: 'unknown',
        provendo: 'unknown',
      });
    }

    // The new address answers exactly as the old one did before the change, and so does the old one.
    expect(await d.contact('nestit-sverige', renamed, 'communication-subscription')).toEqual(before);
    expect(await d.contact('nestit-sverige', old, 'communication-subscription')).toEqual(before);
    // The withdrawn customer's old and new addresses are both on the suppression list.
    const list = await d.api(
      'GET',
      '/api/v1/organizations/nestit-sverige/suppressions?purpose=communication-subscription&channel=email',
    );
    const addresses = list.json().suppressions.map((x: { address: string }) => x.address);
    expect(addresses).toEqual(expect.arrayContaining([withdrawn, renamedToo]));
    expect(addresses).not.toContain(renamed);
  });
});

describe('Art. 19 from the desk: only the recipients of data the subject had are told (embedded systems, manual tasks)', () => {
  let s: DeskServer;
  let d: DeskApi;
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded', fulfilmentOptions: { recipients: {} } });
    d = await deskApi(s);
  }, 120_000);
  afterAll(async () => s?.close());

  const tasksOf = (id: string) =>
    s.app.db.query<{ system_id: string; status: string }>(
      'SELECT system_id, status FROM fulfilment_recipient_tasks WHERE request_id = $1 ORDER BY system_id',
      [id],
    );

  test('P28 a rectification for an address held nowhere tells no recipient: no task, the request completes, and the mail names no one told', async () => {
    const email = `nobody-${crypto.randomUUID().slice(0, 8)}@nowhere.example`;
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'rectification', email });
    const ok = await d.api('POST', `/api/v1/requests/${id}/approve`, {
      corrections: { 'user.contact.phone_number': '070-765 43 21' },
    });
    expect(ok.statusCode).toBe(200);
    await d.waitForState(id!, 'completed', 30_000);
    expect(await tasksOf(id!)).toEqual([]);
    const mail = await s.smtp.waitFor((m) => m.to.includes(email) && /completed/.test(m.subject), 15_000);
    expect(mail.text).toContain('We found no data about you to correct.');
    expect(mail.text).not.toMatch(/record\(s\)|system\(s\)/);
    expect(mail.text).not.toContain('We have told');
  });

  test('P28 a recipient ticked "not held there" is not named among those told; the mail says it held none of the data', async () => {
    const email = customerEmail(4);
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'rectification', email });
    const ok = await d.api('POST', `/api/v1/requests/${id}/approve`, {
      corrections: { 'user.contact.phone_number': '070-111 22 33' },
    });
    expect(ok.statusCode).toBe(200);
    const end = Date.now() + 30_000;
    while ((await tasksOf(id!)).length === 0 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 200));
    const tasks = await tasksOf(id!);
    expect(tasks.map((t) => t.system_id)).toContain('crm');
    for (const t of tasks) {
      const answer =
        t.system_id === 'crm'
          ? { status: 'not_found', note: 'No such customer in the CRM' }
          : { status: 'done', note: 'Corrected by hand' };
      const r = await d.api('POST', `/api/v1/fulfilment/${id}/tasks/${t.system_id}`, answer);
      expect(r.statusCode).toBe(200);
    }
    await d.waitForState(id!, 'completed', 30_000);
    const mail = await s.smtp.waitFor((m) => m.to.includes(email) && /completed/.test(m.subject), 15_000);
    const told = mail.text.split('\n').find((l) => l.startsWith('We have told'));
    expect(told).toBeDefined();
    expect(told).not.toContain('customer information management');
    expect(mail.text).toContain(
      'System provider for customer information management (Nordkund Systems AB (placeholder)) held none of your data.',
    );
  });
});
