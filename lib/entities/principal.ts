import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import { adminEntryItem } from './admin-directory';
import { nextId } from './counter';

export type PrincipalKind = 'store' | 'admin';

export interface Principal {
  kind: PrincipalKind;
  id: number;
}

export interface PrincipalProfile extends Principal {
  name: string;
  created: string;
  /** Stores only: the session new messages go to, if any. */
  active_session_id?: number;
  /** Stores only: the session before the active one. */
  previous_session_id?: number;
  /** Stores only: an admin has blocked the store from chat. */
  blocked?: { by: number; at: string };
  /** Stores only: the last request, written at most once a minute (see chat/store-activity.ts). */
  last_seen_at?: string;
}

export const principalKey = (kind: PrincipalKind, id: number) => ({ pk: `${kind.toUpperCase()}#${id}`, sk: 'PROFILE' });

/**
 * Writes a new store or admin. An admin's profile and its directory entry
 * (admin-directory.ts) go in one transaction, so no admin is ever missing from
 * the list of admins; creating one is rare, so the transaction's double write
 * cost does not matter.
 */
export async function createPrincipal(ref: TableRef, kind: PrincipalKind, name: string, created: string): Promise<PrincipalProfile> {
  const id = await nextId(ref, kind);
  const profile: PrincipalProfile = { kind, id, name, created };
  const put = { TableName: ref.table, Item: { ...principalKey(kind, id), entity: kind, ...profile }, ConditionExpression: 'attribute_not_exists(pk)' };
  if (kind === 'admin') {
    await ref.db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, { Put: { TableName: ref.table, Item: adminEntryItem(profile) } }] }));
  } else {
    await ref.db.send(new PutCommand(put));
  }
  return profile;
}

export async function getPrincipal(ref: TableRef, kind: PrincipalKind, id: number): Promise<PrincipalProfile | undefined> {
  const out = await ref.db.send(new GetCommand({ TableName: ref.table, Key: principalKey(kind, id), ConsistentRead: true }));
  return out.Item as PrincipalProfile | undefined;
}

/** Several profiles in one round trip (at most 100, DynamoDB's BatchGetItem limit). */
export async function getPrincipals(ref: TableRef, principals: readonly Principal[]): Promise<Map<string, PrincipalProfile>> {
  const found = new Map<string, PrincipalProfile>();
  const unique = [...new Map(principals.map((p) => [`${p.kind}#${p.id}`, p])).values()].slice(0, 100);
  if (unique.length === 0) return found;
  let keys: Record<string, unknown>[] | undefined = unique.map((p) => principalKey(p.kind, p.id));
  for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
    const out: BatchGetCommandOutput = await ref.db.send(new BatchGetCommand({ RequestItems: { [ref.table]: { Keys: keys, ConsistentRead: true } } }));
    for (const item of out.Responses?.[ref.table] ?? []) {
      const profile = item as PrincipalProfile;
      found.set(`${profile.kind}#${profile.id}`, profile);
    }
    keys = out.UnprocessedKeys?.[ref.table]?.Keys;
  }
  return found;
}
