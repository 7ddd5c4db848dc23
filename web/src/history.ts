/**
 * Holding a session's messages (README "Coming online and reconnecting"): each id once, in id order, and the
 * last id held without a hole. No DOM: unit-tested in node (test/unit/console-history.test.ts).
 */
export interface HasId {
  id: number;
}

/**
 * `held` and `incoming` merged by id, ascending. An incoming copy replaces a held one (a hide, a read mark),
 * keeping the fields only lists carry (`sender_name`, `sender_online`) when the new copy lacks them.
 */
export function mergeById<T extends HasId>(held: readonly T[], incoming: readonly T[]): T[] {
  if (incoming.length === 0) return held as T[];
  const byId = new Map<number, T>();
  for (const message of held) byId.set(message.id, message);
  for (const message of incoming) {
    const old = byId.get(message.id);
    byId.set(message.id, old ? { ...old, ...message } : message);
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * The gap rule: ids within a session are consecutive, so an arrival more than one past the last id held
 * means something came in between. Returns the new last id (advanced only over consecutive arrivals) and
 * whether to fetch `after=<lastId>`.
 */
export function takeArrivals(lastId: number, ids: readonly number[]): { lastId: number; gap: boolean } {
  let last = lastId;
  let gap = false;
  for (const id of [...ids].sort((a, b) => a - b)) {
    if (id <= last) continue;
    if (id === last + 1 && !gap) last = id;
    else gap = true;
  }
  return { lastId: last, gap };
}
