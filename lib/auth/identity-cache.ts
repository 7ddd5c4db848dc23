import type { Clock } from '../clock';
import type { Principal } from '../entities/principal';
import { limits } from '../limits';

/**
 * Token hash → principal, per function instance, so a warm instance answers a
 * known token without a read (README "Rotating tokens"). Keyed by the token's
 * SHA-256 (hashToken in lib/entities/token.ts), never by the token: a heap
 * dump or a log line holds nothing a caller could present.
 *
 * Only tokens that resolved are kept. An unknown token is read every time, so
 * a token issued a moment ago works at once; a cache of "no such token" would
 * also let a flood of random tokens fill memory.
 */
export interface IdentityCache {
  /** The principal resolved for this hash within the TTL, else undefined. */
  get(tokenHash: string): Principal | undefined;
  set(tokenHash: string, principal: Principal): void;
  readonly size: number;
}

export interface IdentityCacheOptions {
  /** How long an entry is trusted; the default, limits.identityCacheTtlSeconds, keeps revocation within 60 s. */
  ttlMs?: number;
  /** Past it, the oldest entry is evicted. */
  maxEntries?: number;
  clock: Clock;
}

const sha256Hex = /^[0-9a-f]{64}$/;

export function createIdentityCache(options: IdentityCacheOptions): IdentityCache {
  const ttlMs = options.ttlMs ?? limits.identityCacheTtlSeconds * 1000;
  const maxEntries = options.maxEntries ?? limits.identityCacheMaxEntries;
  if (ttlMs < 0 || ttlMs > limits.identityCacheTtlSeconds * 1000) throw new Error(`identity cache TTL must be 0–${limits.identityCacheTtlSeconds} s, not ${ttlMs} ms`);
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error(`identity cache size must be a positive integer, not ${maxEntries}`);
  // A Map iterates in insertion order, and every entry lives the same TTL: the first key is the oldest.
  const entries = new Map<string, { principal: Principal; expiresAt: number }>();
  return {
    get(tokenHash) {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      if (options.clock.now() >= entry.expiresAt) {
        entries.delete(tokenHash);
        return undefined;
      }
      // A copy: a handler that changed its principal must not change the next request's.
      return { ...entry.principal };
    },
    set(tokenHash, principal) {
      // A guard, not validation: a raw token must never become a key.
      if (!sha256Hex.test(tokenHash)) throw new Error('identity cache keys are SHA-256 hex digests of tokens');
      if (ttlMs === 0) return;
      entries.delete(tokenHash);
      entries.set(tokenHash, { principal: { kind: principal.kind, id: principal.id }, expiresAt: options.clock.now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    get size() {
      return entries.size;
    },
  };
}
