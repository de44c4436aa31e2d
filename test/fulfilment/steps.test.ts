/**
 * The steps as units (src/services/fulfilment/steps/): which step ids each kind plans for a request, in the
 * run's order, and how an id finds its kind. Pure: no database is opened (the connectors are never used).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { RegisterIndex } from '../../src/core/register/register-index.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { type Connectors, Engine } from '../../src/services/fulfilment/engine.ts';
import type { FulfilmentType } from '../../src/services/fulfilment/runTypes.ts';
import { planSteps, STEPS, stepOf } from '../../src/services/fulfilment/steps/index.ts';
import { demoIndex } from '../support/nestit-systems.ts';

let engine: Engine;
let index: RegisterIndex;
beforeAll(async () => {
  const datasets = await readDatasetDir();
  engine = new Engine(datasets, new Map(datasets.map((d) => [d.fides_key, {}])) as unknown as Connectors);
  index = await demoIndex();
});

const plan = (type: FulfilmentType, opts: { tell?: boolean; ask?: string[] } = {}) =>
  planSteps({
    type,
    engine,
    byDb: engine.byDatabaseChildrenFirst(engine.order({ email: 'a@example.com', customer_number: 'C1' })),
    index,
    tellRecipients: opts.tell ?? false,
    askServices: opts.ask ?? [],
  });

describe('steps as units: planning', () => {
  test('every kind is one unit with its own kind', () => {
    expect(STEPS.map((s) => s.kind)).toEqual([
      'collect',
      'access',
      'portability',
      'erase',
      'rectify',
      'restrict',
      'notify',
    ]);
  });

  test('an access asks the services first, then makes the extract; a portability is one step', () => {
    expect(plan('access')).toEqual(['access']);
    expect(plan('access', { ask: ['messaging', 'crm'] })).toEqual([
      'collect:messaging',
      'collect:crm',
      'access',
    ]);
    expect(plan('portability', { ask: ['messaging'], tell: true })).toEqual(['portability']);
  });

  test('a change is one step per database, children first, then the recipients when they are told', () => {
    const own = plan('erasure');
    expect(own).toEqual(['erase:nestit_customer_service', 'erase:nestit_webshop']);
    expect(plan('rectification')).toEqual(own.map((s) => s.replace('erase:', 'rectify:')));
    expect(plan('restriction')).toEqual(own.map((s) => s.replace('erase:', 'restrict:')));
    const told = plan('erasure', { tell: true });
    expect(told.slice(0, own.length)).toEqual(own);
    const notify = told.slice(own.length);
    expect(notify.length).toBeGreaterThan(0);
    expect(notify.every((s) => s.startsWith('notify:'))).toBe(true);
    expect(plan('restriction', { tell: true }).slice(own.length)).toEqual(notify);
  });

  test('a step id finds its kind and key', () => {
    expect(stepOf('erase:nestit_webshop')).toMatchObject({ step: { kind: 'erase' }, key: 'nestit_webshop' });
    expect(stepOf('access')).toMatchObject({ step: { kind: 'access' }, key: '' });
    expect(() => stepOf('burn:everything')).toThrow(/Unknown fulfilment step burn:everything/);
  });
});
