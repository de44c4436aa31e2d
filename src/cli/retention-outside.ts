/**
 * How `ombud retention run` tells the systems outside the SQL databases: each request as it is asked,
 * and a summary line (HTTP requests answered, accepted, failed; manual tasks opened or still open).
 */
import type { OutsideProgress, OutsideResult } from '../services/retention/outside.ts';

export function describeOutside(p: OutsideProgress, dryRun: boolean): string {
  const what =
    p.via === 'http'
      ? dryRun
        ? 'would be asked through its HTTP connector'
        : p.status === 'done'
          ? 'answered through its HTTP connector'
          : p.status === 'accepted'
            ? 'accepted the request (answer by callback)'
            : `failed: ${p.error ?? 'no answer'}`
      : dryRun
        ? 'would get a manual task'
        : 'manual task';
  return `${p.system} (${p.rule}): ${what}`;
}

export function outsideSummary(outside: OutsideResult[], dryRun: boolean): string {
  const n = (f: (o: OutsideResult) => boolean) => outside.filter(f).length;
  const http = outside.filter((o) => o.via === 'http');
  const manual = outside.filter((o) => o.via === 'manual');
  if (dryRun)
    return (
      `Outside the SQL databases: would ask ${http.length} request${http.length === 1 ? '' : 's'} through HTTP connectors; ` +
      `${n((o) => o.via === 'manual' && !o.taskId)} manual task(s) would be opened, ${n((o) => o.via === 'manual' && !!o.taskId)} already asked this month.`
    );
  const sum = (k: 'deleted' | 'anonymised' | 'kept') => http.reduce((s, o) => s + (o[k] ?? 0), 0);
  return (
    `Outside the SQL databases: ${http.length} HTTP request(s): ${n((o) => o.via === 'http' && o.status === 'done')} answered ` +
    `(deleted ${sum('deleted')}, anonymised ${sum('anonymised')}, kept ${sum('kept')}), ` +
    `${n((o) => o.status === 'accepted')} accepted (answer by callback), ${n((o) => o.status === 'failed')} failed; ` +
    `${manual.length} manual task(s): ${n((o) => o.taskOpened)} opened now, ${n((o) => o.via === 'manual' && !o.taskOpened)} already asked this month.`
  );
}
