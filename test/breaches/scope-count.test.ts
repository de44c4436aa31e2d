/**
 * Who counts as a person affected by a breach (countScope's rule), on real PostgreSQL and MariaDB over rows
 * written here by hand: people with an e-mail only, a phone only, both, neither (several), two rows with
 * the same e-mail, people reached through two collections (their orders and their tickets), and guest
 * orders of their own table with and without an e-mail. Every expected count is worked out below by hand
 * from these rows. The old count (`COUNT(DISTINCT` one identity column), or of its `concat()` with the
 * kind) skipped the people without that identity or folded them into one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { planScope, setKey, type AffectedCollection } from '../../src/core/breaches/scope.ts';
import { parseDatasetYaml } from '../../src/core/fulfilment/dataset.ts';
import { countScope } from '../../src/services/breaches/countScope.ts';
import { demoIndex } from '../support/nestit-systems.ts';
import { freshSystemDb, type SystemDb } from '../support/systems.ts';

const DATASET = `
dataset:
  - fides_key: scope_people
    ombud: { system: webshop }
    collections:
      - name: people
        ombud: { purposes: [order-fulfilment], controller: { field: country, values: { SE: nestit-sverige } } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email } }
          - { name: phone, data_categories: [user.contact.phone_number], fides_meta: { identity: phone_number } }
          - { name: country, data_categories: [user.contact.address.country] }
      - name: orders
        ombud: { purposes: [order-fulfilment], controller: { follow: person_id } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - name: person_id
            fides_meta: { references: [{ dataset: scope_people, field: people.id, direction: from }] }
          - { name: placed_at, data_categories: [user.behavior.purchase_history] }
      - name: tickets
        ombud: { purposes: [order-fulfilment], controller: { follow: person_id } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - name: person_id
            fides_meta: { references: [{ dataset: scope_people, field: people.id, direction: from }] }
          - { name: body, data_categories: [user.content] }
      - name: guests
        ombud: { purposes: [order-fulfilment], controller: { field: country, values: { SE: nestit-sverige } } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email } }
          - { name: country, data_categories: [user.contact.address.country] }
`;
/** The same tables with no controller named on people: their rows go to the collection's default holder. */
const NO_CONTROLLER = DATASET.replace(
  '{ purposes: [order-fulfilment], controller: { field: country, values: { SE: nestit-sverige } } }',
  '{ purposes: [order-fulfilment] }',
);

// id, email, phone. People 1 and 7 share an e-mail (one person); 2 has only a phone; 3 both; 4, 5, 6, 8
// neither; 9 only an e-mail.
const PEOPLE: [number, string | null, string | null][] = [
  [1, 'a@example.test', null],
  [2, null, '+46701000002'],
  [3, 'c@example.test', '+46701000003'],
  [4, null, null],
  [5, null, null],
  [6, null, null],
  [7, 'a@example.test', '+46701000007'],
  [8, null, null],
  [9, 'd@example.test', null],
];
// id, person, placed at. In the window (2024): 1, 2, 3, 4 (twice), 5. Outside: 8 (2023), 9 (2025).
const ORDERS: [number, number, string][] = [
  [101, 1, '2024-02-01 10:00:00'],
  [102, 2, '2024-03-01 10:00:00'],
  [103, 3, '2024-04-01 10:00:00'],
  [104, 4, '2024-05-01 10:00:00'],
  [105, 4, '2024-06-01 10:00:00'],
  [106, 5, '2024-07-01 10:00:00'],
  [107, 8, '2023-06-01 10:00:00'],
  [108, 9, '2025-03-01 10:00:00'],
];
// id, person: 3, 4 (who also have orders), 6 (twice), 7 (1's e-mail).
const TICKETS: [number, number][] = [
  [201, 3],
  [202, 4],
  [203, 6],
  [204, 7],
  [205, 6],
];
// Guest orders, a table of their own: c@ is person 3's e-mail; two without an e-mail; g@ nobody else's.
const GUESTS: [number, string | null][] = [
  [301, 'c@example.test'],
  [302, null],
  [303, null],
  [304, 'g@example.test'],
];
const WINDOW = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2025-01-01T00:00:00Z') };
const ORDERS_IN_WINDOW: AffectedCollection = {
  dataset: 'scope_people',
  collection: 'orders',
  timeField: 'placed_at',
};
const TICKETS_ALL: AffectedCollection = { dataset: 'scope_people', collection: 'tickets' };
const GUESTS_ALL: AffectedCollection = { dataset: 'scope_people', collection: 'guests' };
const PEOPLE_ALL: AffectedCollection = { dataset: 'scope_people', collection: 'people' };

describe.each(['postgres', 'mysql'] as const)('the people a breach affects, counted on %s', (kind) => {
  let sys: SystemDb;
  beforeAll(async () => {
    sys = await freshSystemDb(kind, 'ombud_scope');
    const c = sys.connector;
    const time = kind === 'postgres' ? 'TIMESTAMP' : 'DATETIME';
    await c.execute(
      'CREATE TABLE people (id INTEGER PRIMARY KEY, email VARCHAR(100), phone VARCHAR(40), country VARCHAR(2))',
    );
    await c.execute(`CREATE TABLE orders (id INTEGER PRIMARY KEY, person_id INTEGER, placed_at ${time})`);
    await c.execute('CREATE TABLE tickets (id INTEGER PRIMARY KEY, person_id INTEGER, body VARCHAR(100))');
    await c.execute('CREATE TABLE guests (id INTEGER PRIMARY KEY, email VARCHAR(100), country VARCHAR(2))');
    const p = (i: number) => c.param(i);
    for (const r of PEOPLE) await c.execute(`INSERT INTO people VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'SE')`, r);
    for (const r of ORDERS) await c.execute(`INSERT INTO orders VALUES (${p(1)}, ${p(2)}, ${p(3)})`, r);
    for (const r of TICKETS) await c.execute(`INSERT INTO tickets VALUES (${p(1)}, ${p(2)}, 'help')`, r);
    for (const r of GUESTS) await c.execute(`INSERT INTO guests VALUES (${p(1)}, ${p(2)}, 'SE')`, r);
  }, 60_000);
  afterAll(async () => {
    await sys?.drop();
  });

  async function count(yaml: string, affected: AffectedCollection[], window: typeof WINDOW | null) {
    const plans = planScope(await demoIndex(), parseDatasetYaml(yaml), affected);
    const r = await countScope(new Map([['scope_people', sys.connector]]), plans, window);
    const of = (cat?: string) =>
      Object.fromEntries(
        r.counts.get(setKey(cat ? plans.filter((x) => x.categories.includes(cat)) : plans)) ?? [],
      );
    return { people: of(), of, records: Object.fromEntries(r.records) };
  }

  test('orders in the window and every ticket: no identity is one person per person row, reached twice once', async () => {
    const r = await count(DATASET, [ORDERS_IN_WINDOW, TICKETS_ALL], WINDOW);
    // Orders in 2024: people 1, 2, 3, 4, 5. Tickets: 3, 4, 6, 7. Together rows 1–7: a@ (1 and 7), 2's
    // phone, c@ (3), and 4, 5, 6 with no identity, each once however many orders or tickets: 6 people.
    expect(r.people).toEqual({ 'nestit-sverige': 6 });
    // Records: 6 orders in the window + 5 tickets.
    expect(r.records).toEqual({ 'nestit-sverige': 11 });
    // Purchase history (orders only): 1, 2, 3, 4, 5. Ticket content: 3, 4, 6, 7.
    expect(r.of('user.behavior.purchase_history')).toEqual({ 'nestit-sverige': 5 });
    expect(r.of('user.content')).toEqual({ 'nestit-sverige': 4 });
  });

  test('with the guest orders of another table: an e-mail is one person across tables, each guest without one a person', async () => {
    const r = await count(DATASET, [ORDERS_IN_WINDOW, TICKETS_ALL, GUESTS_ALL], WINDOW);
    // The 6 above; guests: c@ is person 3 already, 302 and 303 two people, g@ one: 6 + 3.
    expect(r.people).toEqual({ 'nestit-sverige': 9 });
    expect(r.records).toEqual({ 'nestit-sverige': 15 });
    expect(r.of('user.behavior.purchase_history')).toEqual({ 'nestit-sverige': 5 });
    // Guests' e-mail (the guests table only): c@, 302, 303, g@.
    expect(r.of('user.contact.email')).toEqual({ 'nestit-sverige': 4 });
  });

  test('the people table itself with its orders: every row once, by its key where it has no identity', async () => {
    const r = await count(DATASET, [PEOPLE_ALL, ORDERS_IN_WINDOW], WINDOW);
    // All 9 rows: a@ (1 and 7), 2's phone, c@, d@, and 4, 5, 6, 8: 8 people; the orders add no one.
    expect(r.people).toEqual({ 'nestit-sverige': 8 });
    expect(r.records).toEqual({ 'nestit-sverige': 9 + 6 });
    // The phone is a category of people only: 9 rows, 8 people.
    expect(r.of('user.contact.phone_number')).toEqual({ 'nestit-sverige': 8 });
  });

  test('no controller named: the collections reaching the same person row share its default holder', async () => {
    const r = await count(NO_CONTROLLER, [ORDERS_IN_WINDOW, TICKETS_ALL], null);
    // Every order (people 1, 2, 3, 4, 5, 8, 9) and every ticket (3, 4, 6, 7): a@ (1, 7), 2, c@, d@ (9), and
    // 4, 5, 6, 8 without identity: 8 people, in one group.
    expect(r.people).toEqual({ '~default:scope_people.people': 8 });
    expect(r.records).toEqual({ '~default:scope_people.people': 8 + 5 });
  });
});
