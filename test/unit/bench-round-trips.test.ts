import { chainOf, describeChain, longestChain } from '../../bench/chain';
import type { MeterReading, PushEvent, RequestEvent } from '../../bench/meter';

const request = (what: string, start: number, end: number, extra: Partial<RequestEvent> = {}): RequestEvent => ({ fn: 'StoreSendMessage', what, token: false, start, end, failed: false, ...extra });
const push = (start: number): PushEvent => ({ fn: 'StoreSendMessage', command: 'PostToConnection', start });
const reading = (events: RequestEvent[], pushes: PushEvent[]): MeterReading => ({ rcu: 0, wcu: 0, requests: events.length, token: { rcu: 0, requests: 0 }, lines: [], events, pushes });

describe('the round-trip chain of the bench (issue 12, "≤ 3 sequential round trips before the pushes")', () => {
  it('counts requests sent one after another as one round trip each', () => {
    const events = [request('GetItem chat', 0, 2), request('Query chat', 3, 5), request('PutItem chat', 6, 8)];

    const chain = longestChain(events);

    expect(chain.map((event) => event.what)).toEqual(['GetItem chat', 'Query chat', 'PutItem chat']);
  });

  it('counts requests sent side by side once', () => {
    const events = [request('GetItem chat', 0, 2), request('PutItem chat', 3, 6), request('DeleteItem chat', 3, 5), request('Query connections/by-audience', 7, 9)];

    const chain = longestChain(events);

    expect(chain).toHaveLength(3);
    expect([chain[0]?.what, chain[2]?.what]).toEqual(['GetItem chat', 'Query connections/by-audience']);
  });

  it('finds the longest chain, not the one through the first request', () => {
    const events = [request('Query chat', 0, 10), request('GetItem chat', 1, 2), request('GetItem chat TOKEN', 3, 4), request('PutItem chat', 5, 6), request('PutItem chat', 11, 12)];

    const chain = longestChain(events);

    expect(chain.map((event) => event.start)).toEqual([1, 3, 5, 11]);
  });

  it('leaves out the requests that had not ended when the first push started', () => {
    const events = [request('GetItem chat', 0, 2), request('PutItem chat', 3, 5), request('UpdateItem chat', 6, 20)];

    const chain = chainOf(reading(events, [push(12), push(9)]));

    expect(chain).toMatchObject({ length: 2, before: 'first push' });
  });

  it('takes every request when nothing was pushed, and says so', () => {
    const events = [request('GetItem chat', 0, 2, { token: true, fn: 'HttpAuthorizer' }), request('Query chat', 3, 5)];

    const described = describeChain(chainOf(reading(events, [])));

    expect(described).toBe('2 (no push): GetItem chat TOKEN# (HttpAuthorizer) → Query chat (StoreSendMessage)');
  });
});
