import { chatTableRef, type Deps } from '../deps';
import { nextId } from '../entities/counter';
import { getPrincipal, type PrincipalProfile } from '../entities/principal';
import { maxSeq, readHead, type Entry } from '../entities/session';
import { swapActiveSession } from '../entities/store';
import { AppError, ForbiddenError, InternalError, NotFoundError, UnauthorizedError } from '../errors';
import { SessionUnavailable, type SessionPort, type Target } from './post-messages';
import { noteStoreSeen } from './presence';
import { readSessionHead, requireAssignee } from './session-events';

export const isOpen = (head: Entry | undefined) => head === undefined || (head.session.status === 'open' && head.seq < maxSeq);

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

/** The store's open session, or where a new one would start; reads only. */
async function locateStoreSession(deps: Deps, storeId: number): Promise<Target> {
  // The message about to be written stamps the session's last_store_message_at, which presence reads.
  const store = await activeStore(deps, storeId, { noteSeen: false });
  const active = store.active_session_id;
  const head = active === undefined ? undefined : await readHead(chatTableRef(deps), active);
  if (active !== undefined && isOpen(head)) return { sessionId: active, head };
  return { head: undefined, previous: head, pointer: active };
}

/**
 * Opens the session a located target lacks. Concurrent first messages all
 * try to swap the store's pointer from the same old value; one swap wins and
 * the others adopt the winner's session.
 */
async function openStoreSession(deps: Deps, storeId: number, located: Target): Promise<Target> {
  const chat = chatTableRef(deps);
  let target = located;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (target.sessionId !== undefined) return target;
    const sessionId = await nextId(chat, 'session');
    if (await swapActiveSession(chat, storeId, target.pointer, sessionId)) return { sessionId, head: undefined, previous: target.previous };
    target = await locateStoreSession(deps, storeId);
  }
  throw new Error('Could not settle the active session after 5 attempts');
}

/** Seed 000: failures while finding or opening the session are a 500 with its message. */
async function sessionStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new InternalError('Could not prepare chat session', { cause: error });
  }
}

export function storePort(deps: Deps, storeId: number): SessionPort {
  return {
    locate: () => sessionStep(() => locateStoreSession(deps, storeId)),
    open: (target) => sessionStep(() => openStoreSession(deps, storeId, target)),
    check(head) {
      if (!isOpen(head)) throw new SessionUnavailable();
    },
    storeId: () => storeId,
  };
}

/** An admin writes into a session it holds. */
export function adminPort(deps: Deps, adminId: number, sessionId: number): SessionPort {
  const check = (head: Entry | undefined) => {
    if (!head) throw new NotFoundError('Session not found');
    requireAssignee(head.session, adminId, 'Claim the session before replying');
  };
  return {
    async locate() {
      const head = await readSessionHead(deps, sessionId);
      return { sessionId, head };
    },
    open: (target) => Promise.resolve(target),
    check,
    storeId: (target) => target.head?.session.store_id ?? 0,
  };
}
