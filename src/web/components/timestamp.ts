/** Dates as the console shows them: UTC, to the minute or the day. */
export const minuteUtc = (d: Date | string): string =>
  new Date(d).toISOString().replace('T', ' ').slice(0, 16);

export const dayUtc = (d: Date | string): string => new Date(d).toISOString().slice(0, 10);
