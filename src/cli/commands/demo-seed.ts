import { parseArgs } from 'node:util';
import { createDemoIndexes, createDemoSchema, seedDemoSystems } from '../../demo/systems/seed.ts';
import { openConnector } from '../../services/fulfilment/connectors/registry.ts';
import type { CliIo } from '../io.ts';

/** ombud demo seed --customers N [--seed S] --webshop URL --customer-service URL [--create] */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      customers: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '42' },
      webshop: { type: 'string', default: process.env.OMBUD_DEMO_WEBSHOP_URL },
      'customer-service': { type: 'string', default: process.env.OMBUD_DEMO_CUSTOMER_SERVICE_URL },
      create: { type: 'boolean', default: false },
    },
  });
  const customers = Number(values.customers);
  if (!Number.isInteger(customers) || customers < 1) {
    io.err('ombud demo seed: --customers must be a whole number of 1 or more, e.g. --customers 1000');
    return 2;
  }
  if (!values.webshop && !values['customer-service']) {
    io.err('ombud demo seed: give --webshop URL and/or --customer-service URL (postgres://… or mysql://…)');
    return 2;
  }
  const webshop = values.webshop ? await openConnector(values.webshop) : undefined;
  const customerService = values['customer-service']
    ? await openConnector(values['customer-service'])
    : undefined;
  try {
    const started = Date.now();
    // With --create, the indexes and foreign keys are built after the rows are in (faster at any size).
    if (values.create) {
      if (webshop) await createDemoSchema(webshop, 'webshop', { indexes: false });
      if (customerService) await createDemoSchema(customerService, 'customer-service', { indexes: false });
    }
    const counts = await seedDemoSystems({
      customers,
      seed: Number(values.seed),
      webshop,
      customerService,
      concurrency: 2,
    });
    if (values.create)
      await Promise.all([
        webshop && createDemoIndexes(webshop, 'webshop'),
        customerService && createDemoIndexes(customerService, 'customer-service'),
      ]);
    io.out(
      Object.entries(counts)
        .map(([t, n]) => `${t}: ${n}`)
        .join('\n'),
    );
    io.out(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await webshop?.close();
    await customerService?.close();
  }
}
