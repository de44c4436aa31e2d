/** A moment as "YYYY-MM-DD HH:MM" (or with seconds) in UTC, as the console shows times; null as a dash. */
export function utcTime(d: Date | string | null | undefined, opts: { seconds?: boolean } = {}): string {
  if (d === null || d === undefined) return '—';
  return new Date(d)
    .toISOString()
    .slice(0, opts.seconds ? 19 : 16)
    .replace('T', ' ');
}
