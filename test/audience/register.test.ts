import { describe, expect, test } from 'vitest';
import { delta } from '../../src/core/audience/segments.ts';
import { parseRegisterFiles } from '../../src/core/register/parse.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { readRegisterSources } from '../../src/services/register/readRegisterDir.ts';

/** The demo register with its audiences file replaced by `text`. */
async function withAudiences(text: string) {
  const files = (await readRegisterSources(DEMO_REGISTER_DIR)).filter(
    (f) => !f.path.endsWith('audiences.yaml'),
  );
  return parseRegisterFiles([...files, { path: 'audiences.yaml', text }]);
}

const segment = (over: Record<string, string>) => `audiences:
  - id: s1
    name: A segment
    controller: ${over.controller ?? 'nestit-sverige'}
    purpose: ${over.purpose ?? 'ad-matching'}
    legalBasis: ${over.legalBasis ?? 'legitimate-interests'}
    recipient: ${over.recipient ?? 'google-ads'}
    rule: ${over.rule ?? 'google-ads'}
    fields: [${over.fields ?? 'email'}]
    selection: { dataset: nestit_webshop, collection: customers, accountHolders: accounts }
    accountHoldersOnly: true
`;

describe('P44 audience segments in the register', () => {
  test('the demo segments are valid and hold account holders only, by e-mail', async () => {
    const r = parseRegisterFiles(await readRegisterSources(DEMO_REGISTER_DIR));
    expect(r.ok).toBe(true);
    const ids = r.register!.audiences.map((a) => [
      a.id,
      a.controller,
      a.recipient,
      a.rule,
      a.accountHoldersOnly,
    ]);
    expect(ids).toEqual([
      ['recent-buyers-se-google', 'nestit-sverige', 'google-ads', 'google-ads', true],
      ['recent-buyers-se-meta', 'nestit-sverige', 'meta-ads', 'meta', true],
      ['account-holders-no-google', 'provendo', 'google-ads', 'google-data-manager', true],
    ]);
    expect(r.register!.audiences.every((a) => a.fields.join() === 'email')).toBe(true);
  });

  test.each([
    [{ legalBasis: 'consent' }, 'audience-basis-mismatch', 6, 17, 'does not rest on consent'],
    [{ recipient: 'crm' }, 'audience-rule-mismatch', 8, 11, "is not the network of 'crm'"],
    [{ recipient: 'mailer-x' }, 'audience-recipient-mismatch', 7, 16, "'mailer-x' is not a recipient"],
    [{ rule: 'meta' }, 'audience-rule-mismatch', 8, 11, "'meta' is not the network of 'google-ads'"],
    [
      { purpose: 'communication-subscription' },
      'audience-basis-mismatch',
      6,
      17,
      'does not rest on legitimate-interests',
    ],
    [{ fields: 'email, phone' }, 'audience-field-not-in-purpose', 9, 21, 'does not process phone'],
  ])('the validator refuses %o with %s at file:line:column', async (over, code, line, column, message) => {
    const r = await withAudiences(segment(over));
    expect(r.ok).toBe(false);
    const f = r.findings.find((x) => x.code === code)!;
    expect(f).toMatchObject({ file: 'audiences.yaml', line, column, severity: 'error' });
    expect(f.message).toContain(message);
  });

  test('a company that is not a controller of the purpose is refused', async () => {
    const r = await withAudiences(segment({ purpose: 'bookkeeping-norway' }));
    expect(r.findings.map((f) => f.code)).toContain('audience-controller-mismatch');
  });

  test.each([
    ['"0 25 * * *"', 'The hour field "25" of "0 25 * * *" is not valid: use 0-23'],
    ['sometimes', '"sometimes" is not a schedule: use hourly, daily, weekly, monthly or a cron expression'],
    ['"0 4 * *"', '"0 4 * *" is not a schedule'],
    ['"0 4 * * 8"', 'The day of week field "8" of "0 4 * * 8" is not valid: use 0-7'],
    ['"0 4 31-1 * *"', 'The day of month field "31-1"'],
  ])('the validator refuses the schedule %s at its file:line:column', async (schedule, message) => {
    const r = await withAudiences(`${segment({})}    schedule: ${schedule}\n`);
    expect(r.ok).toBe(false);
    const f = r.findings.find((x) => x.path.join('.') === 'audiences.0.schedule')!;
    expect(f).toMatchObject({ file: 'audiences.yaml', line: 12, column: 15, severity: 'error' });
    expect(f.message).toContain(message);
  });

  test.each([
    ['daily', 'daily'],
    ['weekly', 'weekly'],
    ['"*/15 4 * * mon-fri"', '*/15 4 * * mon-fri'],
    ['"30 4 1,15 jan-jun *"', '30 4 1,15 jan-jun *'],
  ])('the schedule %s is taken', async (schedule, stored) => {
    const r = await withAudiences(`${segment({})}    schedule: ${schedule}\n`);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.register!.audiences[0]!.schedule).toBe(stored);
  });

  test('without a schedule a segment is exported only by hand (no schedule is set)', async () => {
    const r = await withAudiences(segment({}));
    expect(r.ok).toBe(true);
    expect(r.register!.audiences[0]!.schedule).toBeUndefined();
  });

  test('delta: who was sent and is no longer a member is removed; new members are added', () => {
    expect(delta(['a', 'b', 'c'], ['c', 'd', 'b'])).toEqual({ add: ['d'], remove: ['a'] });
    expect(delta([], ['b', 'a'])).toEqual({ add: ['a', 'b'], remove: [] });
  });
});
