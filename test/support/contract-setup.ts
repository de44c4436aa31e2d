/** After each test file, its share of the contract check (test/support/contract.ts) goes to the run's file. */
import { afterAll, inject } from 'vitest';
import { flushContractCounts } from './contract.ts';

afterAll(() => flushContractCounts(inject('contractDir')));
