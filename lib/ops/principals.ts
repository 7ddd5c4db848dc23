import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import { createPrincipal, getPrincipal, type PrincipalKind } from '../entities/principal';
import { issueToken, revokeToken, tokenKey } from '../entities/token';

export interface IssuedCredential {
  id: number;
  token: string;
}

/** Creates a store or admin and its first token. The token is returned once and stored only as a hash. */
export async function createPrincipalWithToken(ref: TableRef, kind: PrincipalKind, name: string, now = new Date()): Promise<IssuedCredential> {
  const created = now.toISOString();
  const profile = await createPrincipal(ref, kind, name, created);
  return { id: profile.id, token: await issueToken(ref, profile, created) };
}

/** An extra token for an existing principal, for rotation: issue the new one, then revoke the old. */
export async function issueTokenFor(ref: TableRef, kind: PrincipalKind, id: number, now = new Date()): Promise<IssuedCredential | undefined> {
  const profile = await getPrincipal(ref, kind, id);
  if (!profile) return undefined;
  return { id, token: await issueToken(ref, profile, now.toISOString()) };
}

export { revokeToken };

/** Revokes by stored hash, for tooling that never kept the token itself. */
export async function revokeTokenHash(ref: TableRef, hash: string): Promise<void> {
  await ref.db.send(new DeleteCommand({ TableName: ref.table, Key: tokenKey(hash) }));
}
