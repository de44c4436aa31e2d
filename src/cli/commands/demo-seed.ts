import {
  createDemoIndexes,
  createDemoSchema,
  type DemoSystem,
  seedDemoSystems,
} from '../../demo/systems/seed.ts';
import type { COMMANDS } from '../commands.ts';
import { openConnection } from '../connections.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';

export const run: Run<(typeof COMMANDS)['demo seed']> = async ({ values }, io) => {
  const customers = Number(values.customers);
  if (!Number.isSafeInteger(customers) || customers < 1)
    throw new UsageError(
      `--customers must be a whole number of 1 or more, e.g. --customers 1000 (got '${values.customers}').`,
    );
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed))
    throw new UsageError(`--seed must be a whole number (got '${values.seed}').`);
  if (!values.webshop && !values['customer-service'])
    throw new UsageError('give --webshop URL and/or --customer-service URL (postgres://… or mysql://…).');
  const webshop = values.webshop ? await openConnection(values.webshop, 'webshop') : undefined;
  const customerService = values['customer-service']
    ? await openConnection(values['customer-service'], 'customer-service')
    : undefined;
  try {
    const started = Date.now();
    const done: Partial<Record<DemoSystem, number>> = {};
    const report = () =>
      io.progress(
        `Seeding ${customers} customers: ${Object.entries(done)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')} (${Math.round((Date.now() - started) / 1000)} s)`,
      );
    // With --create, the indexes and foreign keys are built after the rows are in (faster at any size).
    if (values.create) {
      io.progress('Creating the tables …');
      if (webshop) await createDemoSchema(webshop, 'webshop', { indexes: false });
      if (customerService) await createDemoSchema(customerService, 'customer-service', { indexes: false });
    }
    if (webshop) done.webshop = 0;
    if (customerService) done['customer-service'] = 0;
    report();
    const counts = await seedDemoSystems({
      customers,
      seed,
      webshop,
      customerService,
      concurrency: 2,
      onProgress: (system, n) => {
        done[system] = n;
        report();
      },
    });
    if (values.create) {
      io.progress('Creating the indexes and foreign keys …');
      await Promise.all([
        webshop && createDemoIndexes(webshop, 'webshop'),
        customerService && createDemoIndexes(customerService, 'customer-service'),
      ]);
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    if (values.json) {
      printJson(io, { counts, seconds });
      return 0;
    }
    io.out(
      Object.entries(counts)
        .map(([t, n]) => `${t}: ${n}`)
        .join('\n'),
    );
    io.out(`seeded in ${seconds.toFixed(1)} s`);
    return 0;
  } finally {
    await webshop?.close();
    await customerService?.close();
  }
};
