import { chatTableRef, type Deps } from '../deps';
import { getPrincipal } from '../entities/principal';
import { readHead, type Entry } from '../entities/session';
import { NotFoundError, UnauthorizedError } from '../errors';
import { noteStoreSeen } from './store-activity';

/**
 * A session as seen by a store: its current one by default, or one it names,
 * which must be its own. Another store's session is "not found", never "forbidden",
 * so ids reveal nothing.
 */
export async function storeSessionHead(deps: Deps, storeId: number, sessionId?: number): Promise<Entry | undefined> {
  const chat = chatTableRef(deps);
  let id = sessionId;
  if (id === undefined) {
    const store = await getPrincipal(chat, 'store', storeId);
    if (!store) throw new UnauthorizedError();
    await noteStoreSeen(deps, store);
    id = store.active_session_id;
    if (id === undefined) return undefined;
  }
  const head = await readHead(chat, id);
  if (head?.session.store_id !== storeId) {
    if (sessionId === undefined) return undefined;
    throw new NotFoundError('Session not found');
  }
  return head;
}
