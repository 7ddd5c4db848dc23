import { setTimeout as sleep } from 'node:timers/promises';
import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import type { SystemType } from '../entities/message-type';
import { appendEntry, maxSeq, messageId, readHead, type Entry, type RecentIds, type SessionEvent, type SessionState } from '../entities/session';
import { ConflictError, NotFoundError, ServiceUnavailableError, type AppError } from '../errors';
import { newWriteId } from '../ids';
import { nextWindow, type ClientIdentity } from './idempotency';

/**
 * The append engine of the session log: the one place that builds the next
 * entry and writes it (docs/ARCHITECTURE.md, "The session log is the only
 * serialization point"). A caller says only what differs: who writes, what
 * the entry says, and how it changes the session, as a `decide` function of
 * the current head. The engine assigns the seq and the message id, the time
 * (never before the head's), the idempotency window and the write id, and
 * writes with a conditional put on the next slot. A writer that loses the
 * slot decides again on the winner's entry, which may have claimed or closed
 * the session: that is how every race on a session is settled.
 */

/** Everything an entry says besides its place in the log. */
export interface EntryDraft {
  sender: Pick<Entry, 'sender_type' | 'sender_id'>;
  /** The content part: a message's text, attachment, product, special or rating, or a system entry's type and event. */
  body: Pick<Entry, 'content' | 'attachment_url' | 'attachment_type' | 'delivery'> &
    Partial<Pick<Entry, 'type' | 'event' | 'from_admin_id' | 'product' | 'rating' | 'special_type' | 'special_param'>>;
  /** How the entry changes the session (claimed, closed, a message's timestamps…); `updated` is always the entry's time. */
  change: Partial<SessionState>;
  /** A client's message id: the entry stores it and the window remembers it. */
  identity?: ClientIdentity | undefined;
}

export interface Write {
  kind: 'write';
  draft: EntryDraft;
}
/** Nothing to write: the session already is as asked, or nothing is due. */
export interface Skip {
  kind: 'skip';
}
/** The window remembers this client message id: message `id` may be the same message. */
export interface Duplicate {
  kind: 'duplicate';
  id: number;
}
/** The writer may not write on this head; the engine throws the error. */
export interface Refuse {
  kind: 'refuse';
  error: AppError;
}
/** The session stopped taking messages (closed or full): the store writes into a new one. */
export interface Reopen {
  kind: 'reopen';
}
export type Decision = Write | Skip | Duplicate | Refuse | Reopen;

/** What the next entry starts from, fixed by the engine before the caller decides. */
export interface Next {
  /** The session as the entry finds it: the head's state, or a new session's first state. */
  session: SessionState;
  /** The entry's time: now, never before the head's (the clocks of two Lambdas differ). */
  created: string;
  /** The idempotency window the entry carries forward. */
  recent: RecentIds | undefined;
}

export type Decide<D extends Decision> = (head: Entry | undefined, next: Next) => D | Promise<D>;

/** Where the next entry goes. */
export interface Position {
  sessionId: number;
  head: Entry | undefined;
  /** A session with no entry yet: its store, and the window of the store's session before it, which carries over. */
  opening?: { storeId: number; recent: RecentIds | undefined } | undefined;
  /** Where a `reopen` decision goes: the store's new session. */
  reopen?: (() => Promise<Position>) | undefined;
}

export interface Appended {
  kind: 'appended';
  entry: Entry;
  /** The head the entry was built on; its inbox position is the one to replace. */
  previous: Entry | undefined;
}

/** An outcome other than a write, with the position it was decided on. */
export type Undone<D extends Decision> = Exclude<D, Write | Refuse | Reopen> & { at: Position };
export type Outcome<D extends Decision> = Appended | Undone<D>;

/** Decisions for system entries: no content, delivered to nobody in particular. */
export function systemDraft(fields: { sender_id: number | null; type: SystemType; event?: SessionEvent; from_admin_id?: number }, change: Partial<SessionState>): EntryDraft {
  const { sender_id, ...body } = fields;
  return { sender: { sender_type: 'system', sender_id }, body: { ...body, content: '', attachment_url: '', attachment_type: '', delivery: 'sent' }, change };
}

export const write = (draft: EntryDraft): Write => ({ kind: 'write', draft });
export const skip: Skip = { kind: 'skip' };
export const refuse = (error: AppError): Refuse => ({ kind: 'refuse', error });

/** What the next entry at `position` starts from. A session without entries exists only for a store opening it. */
export function nextAt(position: Position, nowMs: number): Next {
  const { head, opening } = position;
  const created = isoTime(Math.max(nowMs, head ? Date.parse(head.created) : 0));
  if (head) return { session: head.session, created, recent: head.recent };
  if (!opening) throw new NotFoundError('Session not found');
  const session: SessionState = {
    id: position.sessionId,
    store_id: opening.storeId,
    admin_id: null,
    status: 'open',
    created,
    updated: created,
    last_message_at: created,
  };
  return { session, created, recent: opening.recent };
}

/** The entry that follows `head`: the next seq, its message id, the session after it, the window and the write id. */
export function nextEntry(head: Entry | undefined, next: Next, draft: EntryDraft, writeId: string): Entry {
  const seq = (head?.seq ?? 0) + 1;
  const id = messageId(next.session.id, seq);
  return {
    seq,
    id,
    session: { ...next.session, ...draft.change, updated: next.created },
    ...draft.sender,
    ...draft.body,
    ...(draft.identity ? { client_message_id: draft.identity.client_message_id } : {}),
    recent: nextWindow(next.recent, draft.identity, id),
    created: next.created,
    write_id: writeId,
  };
}

/** One bound for every retry of one append: lost slots and reopened sessions alike. */
const maxAttempts = 60;

/**
 * Appends one entry. When another writer takes the slot, decides again on
 * top of the winner and tries the next one, so every accepted entry was
 * decided on every entry before it. A put the SDK retried after a lost
 * response is recognised by its write id. A refusal is thrown (it is the
 * answer); a skip or a duplicate is returned with the position it saw.
 */
export async function appendToLog<D extends Decision>(deps: Deps, position: Position, decide: Decide<D>): Promise<Outcome<D>> {
  const chat = chatTableRef(deps);
  const writeId = newWriteId();
  let at = position;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const next = nextAt(at, deps.clock.now());
    const decision: Decision = await decide(at.head, next);
    switch (decision.kind) {
      case 'refuse':
        throw decision.error;
      case 'reopen':
        if (!at.reopen) throw new Error('reopen decided for a position that has no next session');
        at = await at.reopen();
        continue;
      case 'skip':
      case 'duplicate':
        // `decision` came from decide, so its kind is one of D's.
        return { ...(decision as Exclude<D, Write | Refuse | Reopen>), at };
    }
    const entry = nextEntry(at.head, next, decision.draft, writeId);
    // Sort keys are fixed-width: a seq past the stride would sort before the first entry.
    if (entry.seq > maxSeq) throw new ConflictError('Session is full');
    const put = await appendEntry(chat, entry);
    if (put.ok) return { kind: 'appended', entry, previous: at.head };
    // Our own earlier attempt that the SDK retried after a lost response.
    if (put.occupant.write_id === writeId) return { kind: 'appended', entry: put.occupant, previous: at.head };
    at = { ...at, head: put.occupant };
    if (attempt % 3 === 0) {
      // Under heavy contention, jump to the real end and spread the writers out.
      await sleep(Math.random() * 5 * attempt);
      at = { ...at, head: (await readHead(chat, at.sessionId)) ?? at.head };
    }
  }
  throw new ServiceUnavailableError('The session is busy, please retry');
}

/** Where the entry after an appended one goes. */
export const after = (appended: Appended, position: Position): Position => ({ ...position, sessionId: appended.entry.session.id, head: appended.entry });
