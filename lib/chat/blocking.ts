import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import { isConditionalCheckFailed } from '../db/types';
import { principalKey, type PrincipalProfile } from '../entities/principal';
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
 * Seed 002's "Block": an admin stops a store from chatting, or lets it back.
 * A blocked store's sends, batches, ratings and uploads get 403 and store
 * nothing; it can still read its history. Every admin is told.
 */
export async function setStoreBlocked(deps: Deps, adminId: number, storeId: number, blocked: boolean): Promise<{ store: StoreView }> {
  let profile: PrincipalProfile;
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: chatTableRef(deps).table,
        Key: principalKey('store', storeId),
        UpdateExpression: blocked ? 'SET blocked = :blocked' : 'REMOVE blocked',
        ConditionExpression: 'attribute_exists(pk)',
        ...(blocked ? { ExpressionAttributeValues: { ':blocked': { by: adminId, at: isoTime(deps.clock.now()) } } } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    profile = out.Attributes as PrincipalProfile;
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new NotFoundError('Store not found');
    throw error;
  }
  const store = storeView(profile);
  await fanOut(deps, await allAdmins(deps), { type: blocked ? 'store.blocked' : 'store.unblocked', store, admin_id: adminId });
  return { store };
}
