/**
 * Polls `probe` until `accept` holds, for conditions no event announces (server state, counts); no fixed
 * sleeps. Throws with the last value seen.
 */
export async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until `condition` holds. */
export async function waitFor(condition: () => Promise<boolean>, what = 'condition', timeoutMs = 3000): Promise<void> {
  await until(condition, (ok) => ok, what, timeoutMs);
}
