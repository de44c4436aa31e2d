/**
 * Every kind of step, in the order a run takes them: an access first asks the services, then makes the
 * extract; a change changes the own databases, then tells the recipients.
 */
import { accessStep, portabilityStep } from './access.ts';
import { collectStep } from './collect.ts';
import { eraseStep } from './erase.ts';
import { notifyStep } from './notify.ts';
import { rectifyStep } from './rectify.ts';
import { restrictStep } from './restrict.ts';
import type { PlanContext, Step } from './step.ts';

export const STEPS: readonly Step[] = [
  collectStep,
  accessStep,
  portabilityStep,
  eraseStep,
  rectifyStep,
  restrictStep,
  notifyStep,
];

const byKind = new Map(STEPS.map((s) => [s.kind as string, s]));

/** The run's step ids, in run order. */
export const planSteps = (p: PlanContext): string[] => STEPS.flatMap((s) => s.plan(p));

/** The kind of a step id (`erase:webshop` → the erase step) and its key (`webshop`; '' without one). */
export function stepOf(id: string): { step: Step; key: string } {
  const [kind, key] = id.split(':') as [string, string | undefined];
  const step = byKind.get(kind);
  if (!step) throw new Error(`Unknown fulfilment step ${id}`);
  return { step, key: key ?? '' };
}
