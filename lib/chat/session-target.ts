import { chatTableRef, type Deps } from '../deps';
import { nextId } from '../entities/counter';
import { getPrincipal, type PrincipalProfile } from '../entities/principal';
import { deleteBlockMarker, readHead, readHeadAndBlock, type BlockMark, type Entry } from '../entities/session';
import { swapActiveSession } from '../entities/store';
import { AppError, ForbiddenError, InternalError, NotFoundError, UnauthorizedError } from '../errors';
import { noteStoreSeen } from './store-activity';
import { readSessionHead } from './session-events';
import { refuse, type Position, type Refuse, type Reopen } from './session-log';
import { assigneeRefusal, isOpen } from './session-rules';

/** The session a message goes to: the store's active one (opened when needed), or the one an admin names. */
export interface SessionTarget {
  /** Finds the session without writing anything; a store without an open one gets one to open. */
  locate(): Promise<LocatedSession>;
  /** Makes the located session writable: opens the store's new session. Runs only when something will be written. */
  open(located: LocatedSession): Promise<LocatedSession>;
  /** Nothing when the sender may write on this head; else the refusal, or, for a store, a new session. */
  admits(head: Entry | undefined): Refuse | Reopen | undefined;
  storeId(located: LocatedSession): number;
}

export interface LocatedSession {
  /** Undefined until a new session is opened. */
  sessionId?: number | undefined;
  head: Entry | undefined;
  /** For a session not yet written: the store's session before it, whose idempotency window carries over. */
  previous?: Entry | undefined;
  /** The store's pointer as read, for the swap that opens a new session. */
  pointer?: number | undefined;
}

/** Where the log engine appends in an opened session; `reopen` finds the store's next session. */
export function positionOf(located: LocatedSession, storeId: number, reopen: () => Promise<Position>): Position {
  if (located.sessionId === undefined) throw new Error('the session was not opened');
  return { sessionId: located.sessionId, head: located.head, opening: { storeId, recent: located.previous?.recent }, reopen };
}

export const blockedError = () => new ForbiddenError('This store is blocked from chat');

/**
 * A store that exists and is not blocked, noting its activity unless the
 * caller's own write records it (a message stamps last_store_message_at).
 */
export async function activeStore(deps: Deps, storeId: number, { noteSeen = true }: { noteSeen?: boolean } = {}): Promise<PrincipalProfile> {
  const store = await getPrincipal(chatTableRef(deps), 'store', storeId);
  if (!store) throw new UnauthorizedError();
  if (store.blocked) throw blockedError();
  if (noteSeen) await noteStoreSeen(deps, store);
  return store;
}

/**
 * The store's open session, or where a new one would start; reads only
 * (docs/ARCHITECTURE.md "A store message, step by step", step 3). When this
 * instance knows the store's session, one consistent Query of that session's
 * partition reads its head and its block marker: an open head of this store
 * and no marker is the answer. A block is marked in the session the store's
 * pointer names before the admin is answered, and the pointer leaves a
 * session only once it is closed or full, so the session a send may still
 * write to carries every acknowledged block (lib/chat/blocking.ts). Anything
 * else (no hint, a head not open, a marker) goes to the profile, which has
 * the last word on `blocked` and on the pointer.
 */
async function locateStoreSession(deps: Deps, storeId: number): Promise<LocatedSession> {
  const known = deps.activeSessions?.get(storeId);
  if (known === undefined) return locateByProfile(deps, storeId);
  const { head, block } = await readHeadAndBlock(chatTableRef(deps), known);
  if (!block && head?.session.store_id === storeId && isOpen(head)) {
    deps.activeSessions?.remember(storeId, known);
    return { sessionId: known, head };
  }
  return locateByProfile(deps, storeId, { sessionId: known, head, block });
}

/** What the session partition said when the instance's hint did not settle the send. */
interface Seen {
  sessionId: number;
  head: Entry | undefined;
  block: BlockMark | undefined;
}

/** Today's path: the profile (blocked? which session?), then that session's head unless `seen` already read it. */
async function locateByProfile(deps: Deps, storeId: number, seen?: Seen): Promise<LocatedSession> {
  const chat = chatTableRef(deps);
  let store: PrincipalProfile;
  try {
    // The message about to be written stamps the session's last_store_message_at, which presence reads.
    store = await activeStore(deps, storeId, { noteSeen: false });
  } catch (error) {
    deps.activeSessions?.forget(storeId);
    throw error;
  }
  const active = store.active_session_id;
  const reread = seen?.sessionId === active ? seen : undefined;
  // Not blocked, yet a marker: left by a block that raced an unblock. Removed by its id, so a newer block's stays.
  if (reread?.block && active !== undefined) await deleteBlockMarker(chat, active, reread.block.id);
  const head = active === undefined ? undefined : reread ? reread.head : await readHead(chat, active);
  if (active !== undefined && isOpen(head)) {
    deps.activeSessions?.remember(storeId, active);
    return { sessionId: active, head };
  }
  return { head: undefined, previous: head, pointer: active };
}

/**
 * Opens the session a located store lacks. Concurrent first messages all
 * try to swap the store's pointer from the same old value; one swap wins and
 * the others adopt the winner's session.
 */
async function openStoreSession(deps: Deps, storeId: number, found: LocatedSession): Promise<LocatedSession> {
  const chat = chatTableRef(deps);
  let located = found;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (located.sessionId !== undefined) return located;
    const sessionId = await nextId(chat, 'session');
    if (await swapActiveSession(chat, storeId, located.pointer, sessionId)) {
      deps.activeSessions?.remember(storeId, sessionId);
      return { sessionId, head: undefined, previous: located.previous };
    }
    // Another send opened one first, or an admin blocked the store (a blocked store gets no new session): the profile says which.
    located = await locateByProfile(deps, storeId);
  }
  throw new Error('Could not settle the active session after 5 attempts');
}

/** Failures while finding or opening the session are a 500 with its own message (README "Send Message (Store)", errors). */
async function sessionStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new InternalError('Could not prepare chat session', { cause: error });
  }
}

/** A store writes into its active session; a closed or full one is replaced by a new one. */
export function storeTarget(deps: Deps, storeId: number): SessionTarget {
  return {
    locate: () => sessionStep(() => locateStoreSession(deps, storeId)),
    open: (located) => sessionStep(() => openStoreSession(deps, storeId, located)),
    admits: (head) => (isOpen(head) ? undefined : { kind: 'reopen' }),
    storeId: () => storeId,
  };
}

/** An admin writes into a session it holds. */
export function adminTarget(deps: Deps, adminId: number, sessionId: number): SessionTarget {
  return {
    async locate() {
      const head = await readSessionHead(deps, sessionId);
      return { sessionId, head };
    },
    open: (located) => Promise.resolve(located),
    admits(head) {
      if (!head) return refuse(new NotFoundError('Session not found'));
      const refusal = assigneeRefusal(head.session, adminId, 'Claim the session before replying');
      return refusal ? refuse(refusal) : undefined;
    },
    storeId: (located) => located.head?.session.store_id ?? 0,
  };
}
