import { describe, expect, test } from 'vitest';
import { diffNotices } from '../../src/core/notice/diff.ts';
import { noticeFacts } from '../../src/core/notice/facts.ts';
import { buildNotice, noticeHtmlDocument, noticeMarkdown } from '../../src/core/notice/render.ts';
import { parseRegisterFiles } from '../../src/core/register/parse.ts';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { minimalRegister } from '../support/fixtures.ts';

const indexOf = (edits: Parameters<typeof minimalRegister>[0] = {}) => {
  const r = parseRegisterFiles(minimalRegister(edits));
  if (!r.ok) throw new Error(JSON.stringify(r.findings));
  return new RegisterIndex(r.register!);
};

describe('generated notice', () => {
  test('P03 each purpose states its data, how it is collected, the legal basis and the recipients', () => {
    const doc = buildNotice(indexOf(), 'acme-ab', 'en');
    const md = noticeMarkdown(doc);
    expect(md).toContain('### Orders');
    expect(md).toContain('**Personal data processed**');
    expect(md).toMatch(
      /Performance of a contract with you \(Art\. 6\(1\)\(b\) GDPR\): [^\n]*[Nn]ame[^\n]*[Ee]-?mail/i,
    );
    expect(md).toContain('From you at checkout.');
    expect(md).toContain('E-mail service provider');
    expect(md).toMatch(/Your consent \(Art\. 6\(1\)\(a\) GDPR\)/);
    expect(md).toContain('Use the link in every newsletter.');
  });

  test('P01 the notice names its own controller; P31 the rights name the right supervisory authority', () => {
    const se = noticeMarkdown(buildNotice(indexOf(), 'acme-ab', 'en'));
    expect(se).toContain('Acme AB (556000-0001) is the data controller');
    expect(se).toContain('Swedish Authority for Privacy Protection (IMY)');
    const no = noticeMarkdown(buildNotice(indexOf(), 'acme-as', 'en'));
    expect(no).toContain('Acme AS (912345678) is the data controller');
    expect(no).toContain('Norwegian Data Protection Authority (Datatilsynet)');
    expect(no).not.toContain('IMY');
    // Acme AS is not a controller of the newsletter purpose.
    expect(no).not.toContain('### Newsletter');
  });

  test('the notice is rendered in Swedish from the register translations', () => {
    const sv = noticeMarkdown(buildNotice(indexOf(), 'acme-ab', 'sv'));
    expect(sv).toContain('## Ändamålen med behandlingen av dina personuppgifter');
    expect(sv).toContain('### Beställningar');
    expect(sv).toContain('Fullgörande av avtal med dig (art. 6.1 b GDPR)');
    expect(sv).toContain('Integritetsskyddsmyndigheten (IMY)');
  });

  test('P02 the cookie policy lists each cookie with provider, purpose and lifetime', () => {
    const md = noticeMarkdown(buildNotice(indexOf(), 'acme-ab', 'en'));
    expect(md).toContain('| Cookie | Provider | Purpose | Lifetime |');
    expect(md).toContain('| session | Acme AB | Keeps you signed in. | session |');
  });

  test('P14 P20 the storage section names the purpose rules and the bookkeeping exception with its law', () => {
    const md = noticeMarkdown(buildNotice(indexOf(), 'acme-ab', 'en'));
    expect(md).toContain('Three years (3 years)');
    expect(md).toContain(
      'Bookkeeping (7 years): Invoices are kept as the Bookkeeping Act requires. — Bokföringslagen',
    );
  });

  test('HTML output escapes register text', () => {
    const ix = indexOf({
      'purposes.yaml': (t) => t.replace('We deliver what you buy.', '"<script>alert(1)</script>"'),
    });
    const out = noticeHtmlDocument(buildNotice(ix, 'acme-ab', 'en'));
    expect(out).not.toContain('<script>alert(1)');
    expect(out).toContain('&lt;script&gt;');
  });
});

describe('P35 notice changes are classified as material or not', () => {
  const before = noticeFacts(indexOf(), 'acme-ab');
  const kinds = (edits: Parameters<typeof minimalRegister>[0]) =>
    diffNotices(before, noticeFacts(indexOf(edits), 'acme-ab')).map((c) => `${c.kind}:${c.material}`);

  test('identical facts: no changes', () => {
    expect(diffNotices(before, noticeFacts(indexOf(), 'acme-ab'))).toEqual([]);
  });
  test('a new data category for a purpose is material', () => {
    expect(
      kinds({
        'purposes.yaml': (t) =>
          t.replace(
            '[user.name, user.contact.email]',
            '[user.name, user.contact.email, user.contact.phone_number]',
          ),
      }),
    ).toEqual(['category-added:true']);
  });
  test('a new legal basis is material', () => {
    expect(
      kinds({
        'purposes.yaml': (t) =>
          t.replace(
            'categories: [user.contact.email]\n        legalBasis: consent',
            'categories: [user.contact.email]\n        legalBasis: consent\n      - categories: [user.contact.email]\n        legalBasis: contract',
          ),
      }),
    ).toEqual(['legal-basis-added:true']);
  });
  test('a new recipient and a new third-country transfer are material', () => {
    const k = kinds({
      'systems.yaml': (t) =>
        `${t.replace('retentionRules:', '  - id: ads\n    name: Ads\n    role: controller\n    operator: Ads Inc\n    storageCountries: [US]\n    transfer: { mechanism: eu-us-dpf, countries: [US] }\nretentionRules:')}`,
      'purposes.yaml': (t) =>
        t.replace(
          'recipients: [mailer]\n    retention: three-years\n    consent',
          'recipients: [mailer, ads]\n    retention: three-years\n    consent',
        ),
    });
    expect(k).toEqual(['recipient-added:true', 'transfer-added:true']);
  });
  test('a new purpose is material; removing a recipient or rewording is not', () => {
    expect(diffNotices(null, before).every((c) => c.kind === 'purpose-added' && c.material)).toBe(true);
    expect(
      kinds({
        'purposes.yaml': (t) =>
          t.replace(
            'recipients: [mailer]\n    retention: three-years\n  - id: newsletter',
            'retention: three-years\n  - id: newsletter',
          ),
      }),
    ).toEqual(['recipient-removed:false']);
    expect(
      kinds({ 'purposes.yaml': (t) => t.replace('We deliver what you buy.', 'We deliver your order.') }),
    ).toEqual(['wording-changed:false']);
  });
  test('keeping data longer is material', () => {
    expect(kinds({ 'systems.yaml': (t) => t.replace('duration: P3Y', 'duration: P5Y') })).toEqual([
      'retention-longer:true',
      'retention-longer:true',
    ]);
  });
});

describe('the change history in words (issue 15 item 9)', () => {
  test('P35 changes to the demo register read as sentences in en, sv and nb, with names and no ids', async () => {
    const { readRegisterDir } = await import('../../src/services/register/readRegisterDir.ts');
    const { DEMO_REGISTER_DIR } = await import('../../src/demo/loadDemo.ts');
    const { changeInWords } = await import('../../src/core/notice/changeWords.ts');
    const ix = new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!);
    const changes = [
      { kind: 'recipient-added', purpose: 'ad-matching', subject: 'google-ads', material: true, reason: '' },
      {
        kind: 'transfer-added',
        purpose: 'ad-matching',
        subject: 'google-ads:US',
        material: true,
        reason: '',
      },
      { kind: 'retention-longer', purpose: 'ad-matching', subject: 'P1Y→P2Y', material: true, reason: '' },
    ] as const;
    // Written by hand from the demo register's names.
    const expected = {
      en: [
        'We now share data for personalized digital advertising and matching with service providers for advertising in external channels (Google Ireland Ltd).',
        'Data for personalized digital advertising and matching is now transferred outside the EU/EEA, to United States, through service providers for advertising in external channels (Google Ireland Ltd).',
        'We now keep data for personalized digital advertising and matching longer: 2 years.',
      ],
      sv: [
        'Vi delar nu uppgifter för anpassad digital annonsering och matchning med tjänsteleverantörer för annonsering i externa kanaler (Google Ireland Ltd).',
        'Uppgifter för anpassad digital annonsering och matchning förs nu över utanför EU/EES, till USA, genom tjänsteleverantörer för annonsering i externa kanaler (Google Ireland Ltd).',
        'Vi sparar nu uppgifter för anpassad digital annonsering och matchning längre: 2 år.',
      ],
      nb: [
        'Vi deler nå opplysninger for tilpasset digital annonsering og matching med tjenesteleverandører for annonsering i eksterne kanaler (Google Ireland Ltd).',
        'Opplysninger for tilpasset digital annonsering og matching overføres nå utenfor EU/EØS, til USA, gjennom tjenesteleverandører for annonsering i eksterne kanaler (Google Ireland Ltd).',
        'Vi lagrer nå opplysninger for tilpasset digital annonsering og matching lenger: 2 år.',
      ],
    };
    for (const lang of ['en', 'sv', 'nb'] as const)
      expect(changes.map((c) => changeInWords(c, lang, [ix]))).toEqual(expected[lang]);
  });
});
