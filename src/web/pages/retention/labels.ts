import type { RetentionOutcome } from '../../../services/retention/sweep.ts';
import { retentionWords } from './words.ts';

/** What each retention action is called on the console's pages, in the page's language. */
export const actionLabel = (a: RetentionOutcome['action']): string => retentionWords().actions[a];

/** A run's totals as "Delete 3, Keep (legal rule) 1", or a dash. */
export const totalsText = (totals: Record<string, number>) =>
  Object.entries(totals)
    .map(([a, n]) => `${retentionWords().actions[a as RetentionOutcome['action']] ?? a} ${n}`)
    .join(', ') || '—';
