import { setTimeout as sleep } from 'node:timers/promises';
import type { TableRef } from '../db/types';
import { ConflictError, ServiceUnavailableError } from '../errors';
import { appendEntry, maxSeq, readHead, type Entry } from '../entities/session';

export interface Appended {
  entry: Entry;
  /** The head the entry was built on; its inbox position is the one to replace. */
  previous: Entry | undefined;
}

/** Builds the next entry from the current head, or throws to abandon the append. */
export type BuildEntry = (head: Entry | undefined) => Entry | Promise<Entry>;

const maxAttempts = 60;

/**
 * Appends one entry to a session log. When another writer takes the slot,
 * rebuilds on top of the winner (whose state may differ: claimed, closed)
 * and tries the next one, so every accepted entry sees every earlier one.
 */
export async function appendToSession(
  ref: TableRef,
  sessionId: number,
  head: Entry | undefined,
  build: BuildEntry,
): Promise<Appended> {
  let current = head;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const candidate = await build(current);
    // Sort keys are fixed-width: a seq past the stride would sort before the first entry.
    if (candidate.seq > maxSeq) throw new ConflictError('Session is full');
    const result = await appendEntry(ref, candidate);
    if (result.ok) return { entry: candidate, previous: current };
    // Our own earlier attempt that the SDK retried after a lost response.
    if (result.occupant.write_id === candidate.write_id) return { entry: result.occupant, previous: current };
    current = result.occupant;
    if (attempt % 3 === 0) {
      // Under heavy contention, jump to the real end and spread the writers out.
      await sleep(Math.random() * 5 * attempt);
      current = (await readHead(ref, sessionId)) ?? current;
    }
  }
  throw new ServiceUnavailableError('The session is busy, please retry');
}
