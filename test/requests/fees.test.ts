/**
 * Fees for manifestly unfounded or excessive requests (Art. 12(5)): only after the warning, with the
 * ground, reason, amount and currency recorded; the customer is mailed; the request waits for payment with
 * the clock paused; an agent marks it paid (due date moves by the days waited) or waives it (due date
 * stands); every step audited.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkFee, formatFee, resumeAfterPayment } from '../../src/core/requests/fees.ts';
import { renderMail } from '../../src/core/requests/mail-templates.ts';
import { describeEachDatabase } from '../support/db.ts';
import { TEST_ADMIN } from '../support/server.ts';
import { type DeskServer, startDesk } from './support.ts';
import { jsonApi, sessionCookie, signIn } from '../support/http.ts';

describe('fee rules', () => {
  test('P32 a fee needs an Art. 12(5) ground, a reason, a positive amount and an ISO currency', () => {
    expect(
      checkFee({ ground: 'excessive', reason: 'Fifth copy this month', amount: '150', currency: 'sek' }),
    ).toEqual({ ground: 'excessive', reason: 'Fifth copy this month', amountMinor: 15000, currency: 'SEK' });
    expect(
      checkFee({ ground: 'excessive', reason: 'Fifth copy this month', amount: '99,5', currency: 'NOK' })
        .amountMinor,
    ).toBe(9950);
    try {
      checkFee({ ground: 'too-busy', reason: 'x', amount: '-5', currency: 'kronor' });
      expect.unreachable();
    } catch (e) {
      const err = e as { code: string; issues?: { path: string[] }[]; details?: unknown };
      expect(err.code).toBe('fee-invalid');
      expect(JSON.stringify(err)).toMatch(/ground[\s\S]*reason[\s\S]*amount[\s\S]*currency/);
    }
    expect(formatFee(15050, 'SEK')).toBe('150.50 SEK');
  });

  test('P32 a paid fee moves the due date by the days waited, to a working day (Swedish Ascension Day)', () => {
    // Waited 10 days: 2026-04-01 + 10 = Saturday 11 April → Monday 13 April; 2026-05-04 + 10 = 14 May,
    // Ascension Day in Sweden → Friday 15 May.
    expect(
      resumeAfterPayment({
        requestedOn: '2026-03-10',
        paidOn: '2026-03-20',
        dueDate: '2026-04-01',
        maxDueDate: '2026-05-04',
        country: 'SE',
      }),
    ).toEqual({ pausedDays: 10, dueDate: '2026-04-13', maxDueDate: '2026-05-15' });
    expect(
      resumeAfterPayment({
        requestedOn: '2026-03-10',
        paidOn: '2026-03-10',
        dueDate: '2026-04-01',
        maxDueDate: '2026-05-04',
        country: 'SE',
      }).dueDate,
    ).toBe('2026-04-01');
  });

  test('P32 the fee mail exists in English, Swedish and Norwegian with the amount, reason, paused clock and authority', () => {
    for (const [lang, word] of [
      ['en', 'paused'],
      ['sv', 'står svarstiden still'],
      ['nb', 'står svarfristen stille'],
    ] as const) {
      const m = renderMail('fee', {
        lang,
        company: 'NestIT Sverige AB',
        reference: 'R-ABCDEF12',
        type: 'access',
        reason: 'Fifth identical request this month',
        fee: '150.00 SEK',
        authority: { name: 'IMY', web: 'https://www.imy.se' },
      });
      expect(m.subject).toContain('R-ABCDEF12');
      expect(m.text).toContain('150.00 SEK');
      expect(m.text).toContain('Fifth identical request this month');
      expect(m.text).toContain(word);
      expect(m.text).toContain('IMY');
    }
  });
});

describeEachDatabase('request fees', (kind) => {
  let s: DeskServer;
  let clock = new Date('2026-03-02T09:00:00+01:00');
  beforeAll(async () => {
    s = await startDesk({ kind, now: () => clock });
  });
  afterAll(async () => s?.close());

  const api = jsonApi(() => s);

  const verifiedRequest = async (email: string) => {
    const res = await api(
      'POST',
      '/api/v1/requests',
      { company: 'nestit-sverige', type: 'access', email, sendCode: false },
      { 'idempotency-key': crypto.randomUUID() },
    );
    const id = res.json().requests[0].id as string;
    const v = await api('POST', `/api/v1/requests/${id}/verify-manual`, {
      note: 'Driving licence seen in shop',
    });
    expect(v.json().request.state).toBe('verified');
    return {
      id,
      dueDate: v.json().request.dueDate as string,
      maxDueDate: v.json().request.maxDueDate as string,
    };
  };
  /** Move the clock; sign in again, since the console session expires on the moved clock. */
  const at = async (iso: string) => {
    clock = new Date(iso);
    s.origin.cookie = sessionCookie(await signIn(s.server, TEST_ADMIN));
  };
  const WARNING = { ground: 'excessive', reason: 'Fifth identical register extract this month' };
  const FEE = { ...WARNING, amount: '150', currency: 'SEK' };

  test('P32 a fee only after the warning; the customer is mailed the amount; the request waits for payment and is neither due soon nor overdue', async () => {
    await at('2026-03-02T09:00:00+01:00');
    const email = 'many.extracts@example.org';
    const { id, dueDate } = await verifiedRequest(email);
    expect(dueDate).toBe('2026-04-01');

    const unwarned = await api('POST', `/api/v1/requests/${id}/fee`, FEE);
    expect(unwarned.statusCode).toBe(409);
    expect(unwarned.headers['content-type']).toContain('application/problem+json');
    expect(unwarned.json().code).toBe('fee-not-warned');

    expect((await api('POST', `/api/v1/requests/${id}/refusal-warning`, WARNING)).statusCode).toBe(200);
    await s.smtp.waitFor((m) => m.to.includes(email) && /about your request/.test(m.subject));

    const bad = await api('POST', `/api/v1/requests/${id}/fee`, { ...FEE, amount: '-5' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('amount');

    const ok = await api('POST', `/api/v1/requests/${id}/fee`, FEE);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().request.state).toBe('awaiting-payment');
    const mail = await s.smtp.waitFor(
      (m) => m.to.includes(email) && /a fee for your request/.test(m.subject),
    );
    expect(mail.text).toContain('150.00 SEK');
    expect(mail.text).toContain('Fifth identical register extract this month');
    expect(mail.text).toContain('IMY');

    const again = await api('POST', `/api/v1/requests/${id}/fee`, FEE);
    expect(again.statusCode).toBe(409);
    const complete = await api('POST', `/api/v1/requests/${id}/complete`, { outcome: 'Sent' });
    expect(complete.statusCode).toBe(409);

    // Long after the due date, still unpaid: not overdue, the clock is paused.
    await at('2026-04-20T09:00:00+02:00');
    const queue = await api('GET', '/api/v1/requests?state=awaiting-payment');
    const item = queue.json().requests.find((r: { id: string }) => r.id === id);
    expect(item.status).toBe('awaiting-payment');

    const one = await api('GET', `/api/v1/requests/${id}`);
    expect(one.json().fee).toMatchObject({
      amount: '150.00 SEK',
      currency: 'SEK',
      status: 'requested',
      ground: 'excessive',
    });
  });

  test('P32 marking the fee paid resumes work and moves the due date by the days waited; every step is audited', async () => {
    await at('2026-03-02T09:00:00+01:00');
    const { id } = await verifiedRequest('payer@example.org');
    await api('POST', `/api/v1/requests/${id}/refusal-warning`, WARNING);
    await at('2026-03-10T12:00:00+01:00');
    await api('POST', `/api/v1/requests/${id}/fee`, FEE);
    await at('2026-03-20T12:00:00+01:00');
    const paid = await api('POST', `/api/v1/requests/${id}/fee/paid`, { note: 'Swish 1234' });
    expect(paid.statusCode).toBe(200);
    expect(paid.json().request.state).toBe('verified');
    expect(paid.json().request.dueDate).toBe('2026-04-13');
    expect(paid.json().request.maxDueDate).toBe('2026-05-15');
    const twice = await api('POST', `/api/v1/requests/${id}/fee/paid`, {});
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('fee-not-awaiting-payment');

    const audit = await s.app.db.query<{ action: string; reason: string | null; details: unknown }>(
      'SELECT action, reason, details FROM audit_log WHERE target = $1 ORDER BY seq',
      [id],
    );
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['request.fee-charged', 'request.fee-paid']));
    const charged = audit.find((a) => a.action === 'request.fee-charged')!;
    expect(charged.reason).toBe('excessive');
    expect(JSON.stringify(charged.details)).toContain('15000');
    // Ids, amounts and grounds only: no address in the audit trail.
    expect(JSON.stringify(audit)).not.toContain('payer@example.org');
  });

  test('P32 waiving the fee needs a reason and keeps the original due date; shown in the console', async () => {
    await at('2026-03-02T09:00:00+01:00');
    const { id, dueDate } = await verifiedRequest('waived@example.org');
    await api('POST', `/api/v1/requests/${id}/start`, {});
    await api('POST', `/api/v1/requests/${id}/refusal-warning`, WARNING);
    await api('POST', `/api/v1/requests/${id}/fee`, { ...FEE, amount: '200.00' });
    const page = await api('GET', `/console/requests/${id}`);
    expect(page.body).toContain('200.00 SEK');
    expect(page.body).toContain('Mark fee paid');
    const noReason = await api('POST', `/api/v1/requests/${id}/fee/waive`, { reason: '' });
    expect(noReason.statusCode).toBe(422);
    await at('2026-03-12T09:00:00+01:00');
    const form = await api(
      'POST',
      `/console/requests/${id}/action`,
      'action=fee-waive&reason=Customer+narrowed+the+request+to+one+year',
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(form.statusCode).toBe(303);
    const after = (await api('GET', `/api/v1/requests/${id}`)).json();
    expect(after.request.state).toBe('in-progress');
    expect(after.request.dueDate).toBe(dueDate);
    expect(after.fee.status).toBe('waived');
    expect(after.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['refusal-warned', 'fee-charged', 'fee-waived']),
    );
  });
});
