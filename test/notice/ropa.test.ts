import { expect, test } from 'vitest';
import { parseRegisterFiles } from '../../src/core/register/parse.ts';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { ROPA_COLUMNS, ropaCsv, ropaFor } from '../../src/core/ropa/record.ts';
import { minimalRegister } from '../support/fixtures.ts';

const ix = new RegisterIndex(parseRegisterFiles(minimalRegister()).register!);

test('the Art. 30(1) record has every required point for each purpose of the controller', () => {
  const entries = ropaFor(ix, 'acme-ab');
  expect(entries.map((e) => e.purposeId)).toEqual(['orders', 'newsletter']);
  const orders = entries[0]!;
  expect(orders.controller).toContain('Acme AB (556000-0001)'); // (a)
  // Without a recorded joint arrangement each company is controller of its own processing.
  expect(orders.jointControllers).toEqual([]);
  const joint = parseRegisterFiles([
    ...minimalRegister(),
    {
      path: 'joint.yaml',
      text: 'jointArrangements:\n  - id: shared\n    controllers: [acme-ab, acme-as]\n    purposes: [orders]\n    contactPoint: acme-ab\n    essence: Acme AB answers for both.\n',
    },
  ]);
  expect(ropaFor(new RegisterIndex(joint.register!), 'acme-ab')[0]!.jointControllers).toEqual(['Acme AS']); // (a) joint controllers
  expect(orders.purpose).toBe('Orders'); // (b)
  expect(orders.legalBases[0]).toContain('Art. 6(1)(b) contract');
  expect(orders.dataSubjects[0]).toMatch(/^customer/); // (c)
  expect(orders.dataCategories.join()).toContain('user.contact.email'); // (c)
  expect(orders.recipients).toEqual(['Mail provider — processor, DPA in place']); // (d)
  expect(orders.thirdCountryTransfers).toEqual([]); // (e)
  expect(orders.retention).toContain('P3Y from relationship-ended'); // (f)
  expect(orders.retention).toContain('bookkeeping-se (P7Y');
  expect(ROPA_COLUMNS).toContain('securityMeasures'); // (g)
});

test('the CSV export quotes every cell and neutralises formulas', () => {
  const csv = ropaCsv([{ ...ropaFor(ix, 'acme-ab')[0]!, purpose: '=HYPERLINK("x")' }]);
  const [head, row] = csv.split('\r\n');
  expect(head!.split(',')).toHaveLength(ROPA_COLUMNS.length);
  expect(row).toContain(`"'=HYPERLINK(""x"")"`);
});
