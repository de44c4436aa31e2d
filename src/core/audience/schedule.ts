/**
 * When a segment's export job runs (issue #14, P44), pure: the register's `schedule` of a segment is a cron
 * expression of five fields (minute hour day-of-month month day-of-week, in UTC) or a word for a common one.
 * `cronOf` gives the cron expression pg-boss schedules; `scheduleProblem` says what is wrong with one, in
 * words the register validator shows at the value's file:line:column.
 */

/** The words a schedule may be, and the cron each stands for (04:00 UTC; weekly on Mondays). */
export const SCHEDULE_WORDS: Readonly<Record<string, string>> = {
  hourly: '0 * * * *',
  daily: '0 4 * * *',
  weekly: '0 4 * * 1',
  monthly: '0 4 1 * *',
};

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: 'jan feb mar apr may jun jul aug sep oct nov dec' },
  { name: 'day of week', min: 0, max: 7, names: 'sun mon tue wed thu fri sat' },
] as const;

/** A value of a field: a number in range or (month, day of week) a three-letter name. */
function fieldValue(f: (typeof FIELDS)[number], v: string): number | undefined {
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n >= f.min && n <= f.max ? n : undefined;
  }
  if (!('names' in f)) return undefined;
  const i = f.names.split(' ').indexOf(v.toLowerCase());
  return i < 0 ? undefined : i + f.min;
}

/** Whether one comma-separated part of a field is valid: `*`, `a`, `a-b`, each with an optional `/step`. */
function partOk(f: (typeof FIELDS)[number], part: string): boolean {
  const [range, step, more] = part.split('/');
  if (more !== undefined || range === undefined || range === '') return false;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= f.max)) return false;
  if (range === '*') return true;
  const [a, b, extra] = range.split('-');
  if (extra !== undefined) return false;
  const from = fieldValue(f, a ?? '');
  if (from === undefined) return false;
  if (b === undefined) return true;
  const to = fieldValue(f, b);
  return to !== undefined && from <= to;
}

/** What is wrong with a schedule, or undefined when it is a valid cron expression or one of the words. */
export function scheduleProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  if (SCHEDULE_WORDS[s] !== undefined) return undefined;
  const parts = s.split(/\s+/);
  if (parts.length !== 5)
    return `"${s}" is not a schedule: use ${Object.keys(SCHEDULE_WORDS).join(', ')} or a cron expression of five fields (minute hour day-of-month month day-of-week, in UTC), e.g. "0 4 * * 1".`;
  for (const [i, f] of FIELDS.entries()) {
    const field = parts[i]!;
    if (!field.split(',').every((p) => partOk(f, p)))
      return `The ${f.name} field "${field}" of "${s}" is not valid: use ${f.min}-${f.max}${'names' in f ? ' or a three-letter name' : ''}, *, a range a-b, a list a,b or a step */n.`;
  }
  return undefined;
}

/** The cron expression pg-boss schedules for a valid schedule (a word is replaced by its cron). */
export const cronOf = (schedule: string): string => {
  const s = schedule.trim();
  return SCHEDULE_WORDS[s] ?? s.split(/\s+/).join(' ');
};
