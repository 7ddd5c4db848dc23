import { createIdentityCache } from '../../lib/auth/identity-cache';
import type { Clock } from '../../lib/clock';
import { hashToken } from '../../lib/entities/token';
import { limits } from '../../lib/limits';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-01-01T10:00:00.000Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

const hashOf = (n: number) => hashToken(`store_${String(n).padStart(40, '0')}`);
const store = (id: number) => ({ kind: 'store' as const, id });

describe('the identity cache', () => {
  it('answers a cached principal until the TTL ends, then forgets it', () => {
    const clock = manualClock();
    const cache = createIdentityCache({ clock, ttlMs: 30_000 });
    cache.set(hashOf(1), store(1));

    clock.advance(29_999);
    const within = cache.get(hashOf(1));
    clock.advance(1);
    const after = cache.get(hashOf(1));

    expect(within).toEqual(store(1));
    expect(after).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('trusts an entry for limits.identityCacheTtlSeconds by default, which is at most 30 s', () => {
    const clock = manualClock();
    const cache = createIdentityCache({ clock });
    cache.set(hashOf(1), store(1));

    clock.advance(limits.identityCacheTtlSeconds * 1000);

    expect(limits.identityCacheTtlSeconds).toBeLessThanOrEqual(30);
    expect(cache.get(hashOf(1))).toBeUndefined();
  });

  it('refuses a TTL longer than the limit, which would break "revoked within 60 s"', () => {
    expect(() => createIdentityCache({ clock: manualClock(), ttlMs: limits.identityCacheTtlSeconds * 1000 + 1 })).toThrow(/TTL/);
  });

  it('keeps at most maxEntries, evicting the oldest', () => {
    const cache = createIdentityCache({ clock: manualClock(), maxEntries: 3 });

    for (const id of [1, 2, 3, 4]) cache.set(hashOf(id), store(id));

    expect(cache.size).toBe(3);
    expect(cache.get(hashOf(1))).toBeUndefined();
    expect([2, 3, 4].map((id) => cache.get(hashOf(id)))).toEqual([store(2), store(3), store(4)]);
  });

  it('holds 5,000 entries by default', () => {
    const cache = createIdentityCache({ clock: manualClock() });

    for (let id = 1; id <= limits.identityCacheMaxEntries + 1; id++) cache.set(hashOf(id), store(id));

    expect(limits.identityCacheMaxEntries).toBe(5000);
    expect(cache.size).toBe(5000);
    expect(cache.get(hashOf(1))).toBeUndefined();
  });

  it('restarts the TTL and the age of an entry set again', () => {
    const clock = manualClock();
    const cache = createIdentityCache({ clock, ttlMs: 10_000, maxEntries: 2 });
    cache.set(hashOf(1), store(1));
    clock.advance(5_000);
    cache.set(hashOf(2), store(2));

    cache.set(hashOf(1), store(1));
    cache.set(hashOf(3), store(3));
    clock.advance(9_000);

    expect(cache.get(hashOf(1))).toEqual(store(1));
    expect(cache.get(hashOf(2))).toBeUndefined();
  });

  it('is keyed by the SHA-256 of a token and refuses a raw token as a key', () => {
    const cache = createIdentityCache({ clock: manualClock() });
    const token = `store_${'a'.repeat(40)}`;

    cache.set(hashToken(token), store(1));

    expect(() => cache.set(token, store(1))).toThrow(/SHA-256/);
    expect(cache.get(token)).toBeUndefined();
    expect(cache.get(hashToken(token))).toEqual(store(1));
  });

  it('caches nothing with a TTL of 0', () => {
    const cache = createIdentityCache({ clock: manualClock(), ttlMs: 0 });

    cache.set(hashOf(1), store(1));

    expect(cache.get(hashOf(1))).toBeUndefined();
  });

  it('hands out a copy, so a caller cannot change what the next request sees', () => {
    const cache = createIdentityCache({ clock: manualClock() });
    const principal = store(1);
    cache.set(hashOf(1), principal);

    principal.id = 2;

    expect(cache.get(hashOf(1))).toEqual(store(1));
  });
});
