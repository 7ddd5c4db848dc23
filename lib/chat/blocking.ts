import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import type { PrincipalProfile } from '../entities/principal';
import { deleteBlockMarker, putBlockMarker } from '../entities/session';
import { writeStoreBlock, type StoreBlock } from '../entities/store';
import { NotFoundError } from '../errors';
import { newWriteId } from '../ids';
import { allAdmins, fanOut } from '../realtime/fanout';

/** A store as admins see it in the inbox and in block events. */
export interface StoreView {
  id: number;
  name: string;
  blocked: boolean;
}

export function storeView(profile: Pick<PrincipalProfile, 'id' | 'name' | 'blocked'>): StoreView {
  return { id: profile.id, name: profile.name, blocked: profile.blocked !== undefined };
}

/**
 * Blocking (README "Admin WebSocket"): an admin stops a store from chatting,
 * or lets it back. A blocked store's sends, batches, ratings and uploads get
 * 403 and store nothing; it can still read its history. Every admin is told.
 *
 * A send that knows the store's session reads only that session's partition
 * (lib/chat/session-target.ts), so a block is written twice, in this order
 * (docs/DATA_MODEL.md "Blocking and the session marker"):
 * 1. `blocked` on the profile. From then on the store's pointer cannot move
 *    (swapActiveSession refuses a blocked store), and the write returns it.
 * 2. The marker in the partition of that session. Only then is the admin
 *    answered, so every send after the answer sees the block: through the
 *    profile, or through the marker of the only session that still takes
 *    the store's messages.
 * An unblock clears the profile first and then removes its block's marker
 * (by the block's id, so a later block's marker stays). A marker left by a
 * block that raced an unblock only sends the store's messages back to the
 * profile, which has the last word.
 */
export async function setStoreBlocked(deps: Deps, adminId: number, storeId: number, blocked: boolean): Promise<{ store: StoreView }> {
  const chat = chatTableRef(deps);
  const block: StoreBlock | undefined = blocked ? { by: adminId, at: isoTime(deps.clock.now()), id: newWriteId() } : undefined;
  const written = await writeStoreBlock(chat, storeId, block);
  if (!written) throw new NotFoundError('Store not found');
  // A store that never had a session has no pointer and no session a send could know: nothing to mark.
  const sessionId = written.profile.active_session_id;
  if (sessionId !== undefined) {
    if (block?.id) await putBlockMarker(chat, sessionId, { by: block.by, at: block.at, id: block.id });
    // A block written before markers existed has no id and no marker.
    else if (!block && written.replaced?.id) await deleteBlockMarker(chat, sessionId, written.replaced.id);
  }
  const store = storeView(written.profile);
  await fanOut(deps, await allAdmins(deps), { type: blocked ? 'store.blocked' : 'store.unblocked', store, admin_id: adminId });
  return { store };
}
