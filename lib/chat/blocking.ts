import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import type { PrincipalProfile } from '../entities/principal';
import { writeStoreBlock } from '../entities/store';
import { NotFoundError } from '../errors';
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
 */
export async function setStoreBlocked(deps: Deps, adminId: number, storeId: number, blocked: boolean): Promise<{ store: StoreView }> {
  const block = blocked ? { by: adminId, at: isoTime(deps.clock.now()) } : undefined;
  const profile = await writeStoreBlock(chatTableRef(deps), storeId, block);
  if (!profile) throw new NotFoundError('Store not found');
  const store = storeView(profile);
  await fanOut(deps, await allAdmins(deps), { type: blocked ? 'store.blocked' : 'store.unblocked', store, admin_id: adminId });
  return { store };
}
