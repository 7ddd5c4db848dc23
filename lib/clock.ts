export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** ISO-8601 UTC with milliseconds, e.g. 2025-12-16T10:30:00.000Z. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
