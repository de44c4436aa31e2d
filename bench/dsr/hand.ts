/**
 * The baseline: what a developer would write by hand for these two databases, doing the same work as
 * Ombud — an access finds the same rows (the annotated columns, across both databases) and produces the same
 * extract JSON; an erasure deletes the same rows, keeps and restricts the same invoices with the same
 * deletion dates and writes the same restriction markers. The bench checks both (same extract, same
 * databases afterwards). The Art. 15 text of the register (purposes, categories, recipients, rights) is
 * static to such a program: it is taken once from the register before the clock starts.
 */
import type { Located } from '../../src/services/fulfilment/engine.ts';
import type { Engine } from '../../src/services/fulfilment/engine.ts';
import { buildExtract, type Extract, type ExtractCollection } from '../../src/services/fulfilment/extract.ts';
import type { RegisterIndex } from '../../src/core/register/register-index.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import type { Copy } from './copies.ts';

type Row = Record<string, unknown>;

/** Columns and purposes per collection, as annotated (examples/nestit/datasets). */
const COLLECTIONS = {
  customers: {
    cols: 'id, customer_number, email, phone, first_name, last_name, street, postal_code, city, country, created_at, last_activity_at',
    purposes: ['order-fulfilment', 'user-account'],
  },
  accounts: { cols: 'id, customer_id, username, last_login_at', purposes: ['user-account'] },
  orders: {
    cols: 'id, customer_id, order_number, placed_at, delivery_name, delivery_street, delivery_postal_code, delivery_city, total_cents',
    purposes: ['order-fulfilment'],
  },
  order_lines: {
    cols: 'id, order_id, product_name, quantity, unit_price_cents',
    purposes: ['order-fulfilment'],
  },
  invoices: {
    cols: 'id, invoice_number, seller_org, customer_number, billing_name, billing_email, billing_street, billing_postal_code, billing_city, invoice_date, items, amount_cents',
    purposes: ['bookkeeping', 'bookkeeping-norway'],
  },
  reviews: {
    cols: 'id, customer_id, product_sku, rating, body, published_at',
    purposes: ['product-reviews'],
  },
  newsletter_signups: {
    cols: 'id, email, phone, channels, signed_up_at',
    purposes: ['communication-subscription'],
  },
  survey_answers: {
    cols: 'id, customer_number, email, order_number, survey, score, comment, answered_at',
    purposes: ['surveys'],
  },
  order_analytics: {
    cols: 'id, customer_number, country, product_sku, items, total_cents, collected_at',
    purposes: ['customer-analyses'],
  },
  cases: {
    cols: 'id, case_number, customer_number, email, phone, contact_name, subject, opened_at, closed_at',
    purposes: ['customer-service'],
  },
  messages: { cols: 'id, case_id, sender, body, sent_at', purposes: ['customer-service'] },
} as const;
type Name = keyof typeof COLLECTIONS;

export type HandConstants = {
  head: Pick<Extract, '$schema' | 'schemaVersion' | 'language' | 'controller'> & {
    timeZone: string;
    processing: Omit<Extract['processing'], 'purposes' | 'transfers'>;
    transfers: Extract['processing']['transfers'];
  };
  collection: Record<string, Omit<ExtractCollection, 'rows'>>;
  purposes: Extract['processing']['purposes'];
};

/** The register's static text, once (what the hand-written program would carry as constants). */
export function handConstants(engine: Engine, index: RegisterIndex, orgId: string): HandConstants {
  const all: Located = new Map([...engine.graph.nodes.keys()].map((id) => [id, [{}]]));
  const x = buildExtract(engine, all, index, { requestId: '-', orgId, now: new Date(0) });
  return {
    head: {
      $schema: x.$schema,
      schemaVersion: x.schemaVersion,
      language: x.language,
      controller: x.controller,
      timeZone: x.request.timeZone,
      processing: {
        automatedDecisions: x.processing.automatedDecisions,
        rights: x.processing.rights,
        complaintsTo: x.processing.complaintsTo,
      },
      transfers: x.processing.transfers,
    },
    collection: Object.fromEntries(x.data.map(({ rows: _, ...c }) => [c.collection, c])),
    purposes: x.processing.purposes,
  };
}

/** One access by hand: the same rows, the same extract JSON. */
export async function handAccess(
  copy: Copy,
  k: HandConstants,
  req: { requestId: string; orgId: string; customerNumber: string; now: Date },
): Promise<string> {
  const w = copy.webshop;
  const s = copy.service;
  const sel = (c: SqlConnector, t: Name, where: string, params: unknown[]) =>
    c.query<Row>(`SELECT ${COLLECTIONS[t].cols} FROM ${t} WHERE ${where} ORDER BY id`, params);
  const customers = await sel(w, 'customers', 'customer_number = $1', [req.customerNumber]);
  const ids = customers.map((c) => c.id);
  const emails = customers.map((c) => c.email);
  const accounts = await sel(w, 'accounts', 'customer_id = ANY($1)', [ids]);
  const orders = await sel(w, 'orders', 'customer_id = ANY($1)', [ids]);
  const lines = orders.length
    ? await sel(w, 'order_lines', 'order_id = ANY($1)', [orders.map((o) => o.id)])
    : [];
  const invoices = await sel(w, 'invoices', 'customer_number = $1', [req.customerNumber]);
  const reviews = await sel(w, 'reviews', 'customer_id = ANY($1)', [ids]);
  const newsletter = await sel(w, 'newsletter_signups', 'email = ANY($1)', [emails]);
  const surveys = await sel(w, 'survey_answers', 'customer_number = $1 OR order_number = ANY($2)', [
    req.customerNumber,
    orders.map((o) => o.order_number),
  ]);
  const analytics = await sel(w, 'order_analytics', 'customer_number = $1', [req.customerNumber]);
  const cases = await sel(s, 'cases', 'customer_number = ?', [req.customerNumber]);
  const messages = cases.length ? await sel(s, 'messages', 'case_id IN (?)', [cases.map((c) => c.id)]) : [];
  // In the order the references lead from the identities (the extract's order).
  const found: [Name, Row[]][] = [
    ['customers', customers],
    ['invoices', invoices],
    ['newsletter_signups', newsletter],
    ['order_analytics', analytics],
    ['orders', orders],
    ['reviews', reviews],
    ['survey_answers', surveys],
    ['cases', cases],
    ['messages', messages],
    ['accounts', accounts],
    ['order_lines', lines],
  ];
  const present = found.filter(([, rows]) => rows.length);
  const purposes = new Set<string>(present.flatMap(([t]) => COLLECTIONS[t].purposes));
  const { timeZone, processing, transfers, ...head } = k.head;
  const extract: Extract = {
    ...head,
    request: { id: req.requestId, orgId: req.orgId, generatedAt: req.now.toISOString(), timeZone },
    data: present.map(([t, rows]) => ({
      ...k.collection[t]!,
      rows: rows as ExtractCollection['rows'],
    })),
    services: [],
    processing: {
      ...processing,
      purposes: k.purposes.filter((p) => purposes.has(p.id)),
      transfers: transfers.filter((x) => x.purposes.some((p) => purposes.has(p))),
    },
  };
  return JSON.stringify(extract, null, 2);
}

/** The invoice's first erasable day under the bookkeeping acts (Sweden: 7 years, Norway: 5, after the year). */
const ERASE_ON = `make_date(extract(year FROM invoice_date)::int + CASE seller_org WHEN 'provendo' THEN 6 ELSE 8 END, 1, 1)`;
const RULE = `CASE seller_org WHEN 'provendo' THEN 'bookkeeping-no' ELSE 'bookkeeping-se' END`;

/** One erasure by hand: the same deletions, the same invoices kept and restricted, the same markers. */
export async function handErase(
  copy: Copy,
  req: { requestId: string; customerNumber: string; today: string },
): Promise<void> {
  const cn = req.customerNumber;
  await copy.service.transaction(async (tx) => {
    await tx.execute(
      'DELETE m FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.customer_number = ?',
      [cn],
    );
    await tx.execute('DELETE FROM cases WHERE customer_number = ?', [cn]);
  });
  await copy.webshop.transaction(async (tx) => {
    const customer = 'SELECT id FROM customers WHERE customer_number = $1';
    await tx.execute(
      `DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE customer_id IN (${customer}))`,
      [cn],
    );
    await tx.execute(
      `DELETE FROM survey_answers WHERE customer_number = $1
          OR order_number = ANY (ARRAY(SELECT order_number FROM orders WHERE customer_id IN (${customer})))`,
      [cn],
    );
    await tx.execute('DELETE FROM order_analytics WHERE customer_number = $1', [cn]);
    await tx.execute(`DELETE FROM orders WHERE customer_id IN (${customer})`, [cn]);
    await tx.execute(`DELETE FROM accounts WHERE customer_id IN (${customer})`, [cn]);
    await tx.execute(`DELETE FROM reviews WHERE customer_id IN (${customer})`, [cn]);
    await tx.execute(
      'DELETE FROM newsletter_signups WHERE email IN (SELECT email FROM customers WHERE customer_number = $1)',
      [cn],
    );
    // Invoices: erased when their bookkeeping period is over, otherwise kept, restricted and marked.
    await tx.execute(`DELETE FROM invoices WHERE customer_number = $1 AND ${ERASE_ON} <= $2`, [
      cn,
      req.today,
    ]);
    await tx.execute(
      `INSERT INTO ombud_restrictions (collection_name, row_key, request_id, reason, rule_id, erase_on)
       SELECT 'invoices', id::text, $2, 'retention', ${RULE}, ${ERASE_ON} FROM invoices WHERE customer_number = $1
       ON CONFLICT (collection_name, row_key) DO UPDATE SET request_id = EXCLUDED.request_id,
         reason = EXCLUDED.reason, rule_id = EXCLUDED.rule_id, erase_on = EXCLUDED.erase_on`,
      [cn, req.requestId],
    );
    await tx.execute(
      `UPDATE invoices SET restricted = TRUE, erase_on = ${ERASE_ON} WHERE customer_number = $1`,
      [cn],
    );
    await tx.execute('DELETE FROM customers WHERE customer_number = $1', [cn]);
  });
}
