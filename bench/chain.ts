import type { MeterReading, PushEvent, RequestEvent } from './meter';

/**
 * The longest chain of sequential DynamoDB round trips an operation made
 * before its first push started (issue 12, "≤ 3 sequential DynamoDB round trips
 * before the pushes start"). Requests sent side by side (Promise.all) overlap
 * and count once; a request that starts only after another ended waited for it.
 */
export interface RoundTripChain {
  /** Round trips in the chain. */
  length: number;
  requests: RequestEvent[];
  /** When the chain had to end: the first push's start, or the last request's end when nothing was pushed. */
  before: 'first push' | 'no push';
}

/**
 * Longest sequence of intervals in which each starts at or after the previous
 * one ended (weighted-interval style DP over the ends): only the requests that
 * ended by `cutoff` count.
 */
export function longestChain(events: readonly RequestEvent[], cutoff = Number.POSITIVE_INFINITY): RequestEvent[] {
  const done = events.filter((event) => event.end <= cutoff).sort((a, b) => a.end - b.end || a.start - b.start);
  // For each request, the longest chain that ends with it, kept as the chain itself (n is a handful).
  const ending: RequestEvent[][] = [];
  for (const event of done) {
    let best: RequestEvent[] = [];
    for (const [j, earlier] of done.entries()) {
      const chain = ending[j];
      if (!chain || earlier.end > event.start) continue;
      if (chain.length > best.length) best = chain;
    }
    ending.push([...best, event]);
  }
  return ending.reduce<RequestEvent[]>((longest, chain) => (chain.length > longest.length ? chain : longest), []);
}

export function firstPush(pushes: readonly PushEvent[]): PushEvent | undefined {
  return pushes.filter((push) => push.command === 'PostToConnection').reduce<PushEvent | undefined>((first, push) => (!first || push.start < first.start ? push : first), undefined);
}

export function chainOf(reading: MeterReading): RoundTripChain {
  const push = firstPush(reading.pushes);
  const requests = longestChain(reading.events, push?.start);
  return { length: requests.length, requests, before: push ? 'first push' : 'no push' };
}

/** "3: GetItem chat TOKEN# (StoreSendMessage) → Query chat → PutItem chat" for the report. */
export function describeChain(chain: RoundTripChain): string {
  if (chain.length === 0) return '0';
  let fn = '';
  const steps = chain.requests.map((request) => {
    const owner = request.fn !== fn ? ` (${request.fn})` : '';
    fn = request.fn;
    return `${request.what}${request.token ? ' TOKEN#' : ''}${request.failed ? ' failed' : ''}${owner}`;
  });
  return `${chain.length}${chain.before === 'no push' ? ' (no push)' : ''}: ${steps.join(' → ')}`;
}

/** Requests made per function during an operation, e.g. "HttpAuthorizer 1, StoreSendMessage 6". */
export function requestsByFunction(reading: MeterReading): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of reading.events) counts.set(event.fn, (counts.get(event.fn) ?? 0) + 1);
  return counts;
}
