import { describe, expect, test } from 'vitest';
import { parseRegisterFiles } from '../../src/core/register/parse.ts';
import { lineOf, minimalRegister } from '../support/fixtures.ts';

const errorsOf = (r: ReturnType<typeof parseRegisterFiles>) =>
  r.findings.filter((f) => f.severity === 'error');

describe('register parsing and validation', () => {
  test('the minimal fixture is valid and merges every file', () => {
    const r = parseRegisterFiles(minimalRegister());
    expect(errorsOf(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.register!.organizations.map((o) => o.id)).toEqual(['acme-ab', 'acme-as']);
    expect(r.register!.purposes.map((p) => p.id)).toEqual(['orders', 'newsletter']);
  });

  test('a YAML syntax error names file, line and column and yields no register', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) => t.replace('    controllers: [acme-ab]\n', '    controllers: [acme-ab\n'),
    });
    const r = parseRegisterFiles(files);
    expect(r.ok).toBe(false);
    expect(r.register).toBeUndefined();
    const e = errorsOf(r)[0]!;
    expect(e.code).toBe('yaml-syntax');
    expect(e.file).toBe('purposes.yaml');
    const text = files.find((f) => f.path === 'purposes.yaml')!.text;
    expect(e.line).toBeGreaterThanOrEqual(lineOf(text, 'controllers: [acme-ab\n'));
    expect(e.column).toBeGreaterThan(0);
  });

  test('an unresolved recipient reference points at the exact list item', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) =>
        t.replace(
          'recipients: [mailer]\n    retention: three-years\n  - id: newsletter',
          'recipients: [mailr]\n    retention: three-years\n  - id: newsletter',
        ),
    });
    const text = files.find((f) => f.path === 'purposes.yaml')!.text;
    const r = parseRegisterFiles(files);
    const e = errorsOf(r).find((f) => f.code === 'unresolved-reference')!;
    expect(e.message).toContain("Unknown system 'mailr'");
    expect(e.hint).toContain('mailer');
    expect(e.file).toBe('purposes.yaml');
    expect(e.line).toBe(lineOf(text, 'recipients: [mailr]'));
    expect(e.column).toBe(text.split('\n')[e.line - 1]!.indexOf('mailr') + 1);
  });

  test('#13 defect 7: schema errors and the findings beyond the schema come in one run, each at file:line:column; an entry that fails the schema is not reported again as unknown where it is referred to', () => {
    const files = minimalRegister({
      'systems.yaml': (t) => t.replace('    dpa: true\n', '    dpa: maybe\n'),
      'purposes.yaml': (t) =>
        t.replace(
          'recipients: [mailer]\n    retention: three-years\n  - id: newsletter',
          'recipients: [mailr]\n    retention: three-years\n  - id: newsletter',
        ),
    });
    const systems = files.find((f) => f.path === 'systems.yaml')!.text;
    const purposes = files.find((f) => f.path === 'purposes.yaml')!.text;
    const r = parseRegisterFiles(files);
    expect(r.ok).toBe(false);
    expect(r.register).toBeUndefined();
    expect(
      errorsOf(r).map((f) => `${f.file}:${f.line}:${f.column} ${f.code} ${f.message.split(':')[0]}`),
    ).toEqual([
      `systems.yaml:${lineOf(systems, 'dpa: maybe')}:10 schema systems.1.dpa`,
      `purposes.yaml:${lineOf(purposes, 'recipients: [mailr]')}:18 unresolved-reference Unknown system 'mailr'.`,
    ]);
  });

  test('P03 a missing legal basis is an error at the data entry, naming the allowed bases', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) => t.replace('        legalBasis: contract\n', ''),
    });
    const r = parseRegisterFiles(files);
    const e = errorsOf(r)[0]!;
    expect(e.code).toBe('schema');
    expect(e.message).toContain('legalBasis');
    expect(e.message).toMatch(/consent, contract, legal-obligation/);
    expect(e.line).toBe(
      lineOf(files.find((f) => f.path === 'purposes.yaml')!.text, '- categories: [user.name'),
    );
  });

  test('P38 a consent-based purpose must say how consent is collected and withdrawn', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) =>
        t.replace(/ {4}consent:\n {6}collectedAt: \[checkout\]\n {6}withdrawal: .*\n/, ''),
    });
    const e = errorsOf(parseRegisterFiles(files)).find((f) => f.code === 'consent-without-mechanism');
    expect(e?.target).toBe('purpose:newsletter');
    expect(e?.line).toBe(lineOf(files.find((f) => f.path === 'purposes.yaml')!.text, 'id: newsletter'));
  });

  test('P27 a legitimate-interest purpose must carry a balancing assessment', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) => t.replace('legalBasis: contract', 'legalBasis: legitimate-interests'),
    });
    const e = errorsOf(parseRegisterFiles(files)).find(
      (f) => f.code === 'legitimate-interest-without-assessment',
    );
    expect(e?.target).toBe('purpose:orders');
  });

  test('P15 storage outside the EU/EEA without a transfer mechanism is refused', () => {
    const files = minimalRegister({
      'systems.yaml': (t) => t.replace('storageCountries: [IE]', 'storageCountries: [IE, US]'),
    });
    const e = errorsOf(parseRegisterFiles(files)).find((f) => f.code === 'transfer-without-mechanism');
    expect(e?.message).toContain('US');
    const fixed = minimalRegister({
      'systems.yaml': (t) =>
        t.replace(
          'storageCountries: [IE]',
          'storageCountries: [IE, US]\n    transfer: { mechanism: scc, countries: [US] }',
        ),
    });
    expect(parseRegisterFiles(fixed).ok).toBe(true);
  });

  test('P17 a processor without a data processing agreement is refused', () => {
    const files = minimalRegister({ 'systems.yaml': (t) => t.replace('    dpa: true\n', '') });
    const e = errorsOf(parseRegisterFiles(files)).find((f) => f.code === 'processor-without-dpa');
    expect(e?.target).toBe('system:mailer');
  });

  test('special category data needs an Art. 9(2) condition', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) =>
        t.replace('categories: [user.name, user.contact.email]', 'categories: [user.name, user.health]'),
    });
    const e = errorsOf(parseRegisterFiles(files)).find(
      (f) => f.code === 'special-category-without-condition',
    );
    expect(e?.message).toContain('Art. 9');
    const ok = minimalRegister({
      'purposes.yaml': (t) =>
        t.replace(
          'categories: [user.name, user.contact.email]\n        legalBasis: contract',
          'categories: [user.name, user.health]\n        legalBasis: contract\n        art9Condition: 9.2.a',
        ),
    });
    expect(errorsOf(parseRegisterFiles(ok))).toEqual([]);
  });

  test('P12 every purpose must have a retention rule', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) =>
        t.replace('    retention: three-years\n  - id: newsletter', '  - id: newsletter'),
    });
    const e = errorsOf(parseRegisterFiles(files)).find((f) => f.code === 'purpose-without-retention');
    expect(e?.target).toBe('purpose:orders');
  });

  test('P14 only a legal rule naming its law may keep data longer', () => {
    const files = minimalRegister({ 'systems.yaml': (t) => t.replace('    kind: legal\n', '') });
    const e = errorsOf(parseRegisterFiles(files)).find((f) => f.code === 'exception-not-legal');
    expect(e?.message).toContain('bookkeeping-se');
  });

  test('unknown fields and unknown fideslang keys are reported with a fix', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) =>
        t.replace('dataUse: essential.service', 'dataUse: essential.service\n    colour: blue'),
    });
    const text = files.find((f) => f.path === 'purposes.yaml')!.text;
    const unknown = errorsOf(parseRegisterFiles(files)).find((e) => e.code === 'unknown-field')!;
    expect(unknown.message).toContain("'colour'");
    expect(unknown.line).toBe(lineOf(text, 'colour: blue'));
    const typo = minimalRegister({
      'purposes.yaml': (t) => t.replace('dataUse: essential.service', 'dataUse: essential.servce'),
    });
    const e = errorsOf(parseRegisterFiles(typo)).find((f) => f.code === 'unknown-data-use')!;
    expect(e.hint).toContain('essential.service');
  });

  test('P04 a purpose listed in the contents but never described is a warning, and an acknowledgement resolves it', () => {
    const files = minimalRegister({
      'purposes.yaml': (t) =>
        t.replace('    description: { en: Offers by e-mail., sv: Erbjudanden via e-post. }\n', ''),
    });
    const r = parseRegisterFiles(files);
    expect(r.ok).toBe(true);
    const w = r.findings.find((f) => f.code === 'purpose-not-described')!;
    expect(w.severity).toBe('warning');
    expect(w.target).toBe('purpose:newsletter');
    files.push({
      path: 'zz-findings.yaml',
      text: 'acknowledgedFindings:\n  - code: purpose-not-described\n    target: purpose:newsletter\n    resolution: Described in the next revision.\n    decidedBy: DPO\n    decidedAt: 2026-01-01\n',
    });
    const resolved = parseRegisterFiles(files).findings.find((f) => f.code === 'purpose-not-described')!;
    expect(resolved.severity).toBe('info');
    expect(resolved.message).toContain('Resolved: Described in the next revision.');
  });

  test('P01 the named controller differing from the contact company is a warning', () => {
    const files = minimalRegister({
      'group.yaml': (t) =>
        t.replace('    timeZone: Europe/Oslo', '    timeZone: Europe/Oslo\n    noticeContact: acme-ab'),
    });
    const w = parseRegisterFiles(files).findings.find((f) => f.code === 'controller-contact-mismatch')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toContain('Acme AS');
    expect(w.message).toContain('Acme AB');
  });

  test('a register without a group, or with two, is refused', () => {
    const files = minimalRegister({ 'group.yaml': (t) => t.replace(/group:\n( {2}.*\n){3}/, '') });
    expect(errorsOf(parseRegisterFiles(files))[0]!.code).toBe('missing-group');
    const twice = [...minimalRegister(), { path: 'zz.yaml', text: 'group:\n  id: other\n  name: Other\n' }];
    expect(errorsOf(parseRegisterFiles(twice))[0]!.code).toBe('duplicate-group');
  });
});
