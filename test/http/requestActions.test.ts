import { describe, expect, test } from 'vitest';
import { formAction, REQUEST_ACTIONS } from '../../src/http/requestActions.ts';

describe('request actions, defined once for the API and the console', () => {
  test('each action has one API path and one console form name, none used twice', () => {
    const api = REQUEST_ACTIONS.map((a) => a.api);
    const form = REQUEST_ACTIONS.map((a) => a.form);
    expect(new Set(api).size).toBe(api.length);
    expect(new Set(form).size).toBe(form.length);
    expect(api).toEqual([
      'assign',
      'notes',
      'verify-manual',
      'start',
      'extend',
      'complete',
      'refusal-warning',
      'refuse',
      'fee',
      'fee/paid',
      'fee/waive',
      'objection-decision',
      'no-data',
      'route',
      'approve',
      'fulfilment/retry',
      'group/approve',
      'group/refusal-warning',
      'group/refuse',
      'group/extend',
    ]);
    // A group request's decisions for every company at once, under their own form names.
    expect(
      ['group-approve', 'group-warn', 'group-refuse', 'group-extend'].map((f) => formAction(f)?.api),
    ).toEqual(['group/approve', 'group/refusal-warning', 'group/refuse', 'group/extend']);
    expect(formAction('retry-fulfilment')?.api).toBe('fulfilment/retry');
    expect(formAction('nonsense')).toBeUndefined();
    expect(formAction(undefined)).toBeUndefined();
  });

  test('the API bodies keep their schemas', () => {
    const action = (name: string) => formAction(name)!;
    expect(action('route').body.safeParse({ orgIds: ['provendo'], note: 'found in the CRM' }).success).toBe(
      true,
    );
    expect(action('objection').body.safeParse({ upheld: true, balancingNote: 'x' }).success).toBe(true);
    expect(action('start').body.safeParse(undefined).success).toBe(true);
  });
});
