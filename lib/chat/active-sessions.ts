/**
 * What one function instance last saw as each store's active session
 * (docs/ARCHITECTURE.md "A store message, step by step", step 3). A hint, not
 * a truth: every use is checked by a consistent read of that session's
 * partition, which also holds the store's block marker (docs/DATA_MODEL.md
 * "Blocking and the session marker"). A store's pointer moves away from a
 * session only once that session is closed or full, which it then stays, so a
 * stale hint reads a head that is not open and the send falls back to the
 * store's profile. No TTL is needed; the bound keeps memory flat.
 */
export class ActiveSessions {
  private readonly byStore = new Map<number, number>();

  constructor(private readonly maxEntries = 10_000) {}

  get(storeId: number): number | undefined {
    return this.byStore.get(storeId);
  }

  /** Remembers `sessionId` as the store's active session; past the bound the oldest remembered store goes. */
  remember(storeId: number, sessionId: number): void {
    this.byStore.delete(storeId);
    this.byStore.set(storeId, sessionId);
    if (this.byStore.size > this.maxEntries) this.byStore.delete(this.byStore.keys().next().value!);
  }

  forget(storeId: number): void {
    this.byStore.delete(storeId);
  }

  get size(): number {
    return this.byStore.size;
  }
}
