import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import { randomBase62 } from '../ids';
import type { Principal, PrincipalKind } from './principal';

/** 40 base62 symbols carry about 238 bits: guessing is not an attack. */
const secretLength = 40;
const tokenPattern = /^(store|admin)_[A-Za-z0-9]{40}$/;

/** Only this hash is stored; the token itself is shown once, at creation. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const tokenKey = (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' });

export function looksLikeToken(value: string): boolean {
  return tokenPattern.test(value);
}

export async function issueToken(ref: TableRef, principal: Principal, created: string): Promise<string> {
  const token = `${principal.kind}_${randomBase62(secretLength)}`;
  await ref.db.send(
    new PutCommand({
      TableName: ref.table,
      Item: {
        ...tokenKey(hashToken(token)),
        entity: 'token',
        principal_type: principal.kind,
        principal_id: principal.id,
        created,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return token;
}

export async function resolveToken(ref: TableRef, token: string): Promise<Principal | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const out = await ref.db.send(new GetCommand({ TableName: ref.table, Key: tokenKey(hashToken(token)), ConsistentRead: true }));
  const item = out.Item;
  if (!item) return undefined;
  const kind = item.principal_type as PrincipalKind;
  const id = item.principal_id as number;
  return { kind, id };
}

/** Returns whether a live token was revoked. */
export async function revokeToken(ref: TableRef, token: string): Promise<boolean> {
  const out = await ref.db.send(
    new DeleteCommand({ TableName: ref.table, Key: tokenKey(hashToken(token)), ReturnValues: 'ALL_OLD' }),
  );
  return out.Attributes !== undefined;
}

/** Revokes by stored hash, for tooling that never kept the token itself. */
export async function revokeTokenHash(ref: TableRef, hash: string): Promise<void> {
  await ref.db.send(new DeleteCommand({ TableName: ref.table, Key: tokenKey(hash) }));
}
