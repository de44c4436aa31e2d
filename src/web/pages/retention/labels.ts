import type { RetentionOutcome } from '../../../services/retention/sweep.ts';

/** What each retention action is called on the console's pages. */
export const ACTION_LABEL: Record<RetentionOutcome['action'], string> = {
  delete: 'Delete',
  anonymise: 'Anonymise',
  mask: 'Mask',
  'erase-due': 'Erase (day come)',
  keep: 'Keep (legal rule)',
  held: 'Held (marker)',
  blocked: 'Waiting',
};

/** A run's totals as "Delete 3, Keep (legal rule) 1", or a dash. */
export const totalsText = (totals: Record<string, number>) =>
  Object.entries(totals)
    .map(([a, n]) => `${ACTION_LABEL[a as RetentionOutcome['action']] ?? a} ${n}`)
    .join(', ') || '—';
