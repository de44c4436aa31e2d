/**
 * Differentially private counts (optional per export): Laplace noise of scale 1/ε for a count (sensitivity
 * 1: one subject changes the count of a cell by at most one when each subject is counted once), or Gaussian
 * noise with σ = √(2 ln(1.25/δ))/ε. The purpose's privacy budget is the sum of the ε its exports spent;
 * an export that would exceed it is refused. Pure: the uniform random numbers are given.
 */
import { conflict } from '../errors.ts';

export type NoiseSpec = { mechanism: 'laplace' | 'gaussian'; epsilon: number; delta?: number };

/** A Laplace draw of scale b from a uniform u in (0, 1). */
export function laplace(b: number, u: number): number {
  const v = u - 0.5;
  return -b * Math.sign(v) * Math.log(1 - 2 * Math.abs(v));
}

/** A standard normal draw from two uniforms in (0, 1) (Box–Muller). */
export function normal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function gaussianSigma(epsilon: number, delta: number): number {
  return Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon;
}

/** A count with noise, rounded and never below zero. `uniform` gives numbers in (0, 1). */
export function noisyCount(count: number, spec: NoiseSpec, uniform: () => number): number {
  const noise =
    spec.mechanism === 'laplace'
      ? laplace(1 / spec.epsilon, uniform())
      : gaussianSigma(spec.epsilon, spec.delta ?? 1e-6) * normal(uniform(), uniform());
  return Math.max(0, Math.round(count + noise));
}

/** The budget left after what was spent; refuses an export that would overspend it. */
export function chargeBudget(
  purposeId: string,
  budget: number,
  spent: number,
  epsilon: number,
): { spent: number; left: number } {
  const after = spent + epsilon;
  if (after > budget + 1e-9)
    throw conflict(
      'privacy-budget-spent',
      `The privacy budget of the purpose '${purposeId}' (ε ${budget}) has ${Math.max(0, budget - spent).toFixed(3)} left; this export needs ${epsilon}.`,
      'Raise the budget in the register (a decision for the DPO), or export without noise under the k-threshold only.',
    );
  return { spent: after, left: budget - after };
}
