import type { TableRef } from '../db/types';
import { putAdminEntry } from '../entities/admin-directory';
import { createPrincipal, getPrincipal, type PrincipalKind } from '../entities/principal';
import { hashToken, issueToken, resolveToken, revokeToken, revokeTokenHash } from '../entities/token';
import { closeTokenConnections } from '../realtime/disconnect';
import type { Pusher } from '../realtime/push';

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

/**
 * An extra token for an existing principal, for rotation: issue the new one, then revoke the old.
 * For an admin it also (re)writes the directory entry, so an admin created before the list of
 * admins existed joins it with its next token (README "List Admins (Admin)"); `npm start` issues
 * one for its demo admin at every start.
 */
export async function issueTokenFor(ref: TableRef, kind: PrincipalKind, id: number, now = new Date()): Promise<IssuedCredential | undefined> {
  const profile = await getPrincipal(ref, kind, id);
  if (!profile) return undefined;
  const [token] = await Promise.all([issueToken(ref, profile, now.toISOString()), kind === 'admin' ? putAdminEntry(ref, profile) : undefined]);
  return { id, token };
}

export { revokeToken, revokeTokenHash };

export interface Revocation {
  revoked: boolean;
  /** Sockets opened with the token that were closed (or had already gone) and whose rows were deleted. */
  connections_closed: number;
}

/** Some sockets opened with a revoked token could not be closed through @connections. */
export class ConnectionsNotClosedError extends Error {}

/**
 * Revokes a token and closes every WebSocket opened with it (README "Rotating
 * tokens"). The sockets are found through the principal's connection rows
 * (the index, no Scan) by the token's hash. They are closed once before the
 * token is deleted and once after, so a client that reconnects in between is
 * closed too; after the delete the authorizer admits no new socket. The token
 * is revoked even if @connections fails, since stopping new access matters
 * most; the error then says how many sockets stay open.
 */
export async function revokeTokenAndConnections(
  chat: TableRef,
  connections: TableRef,
  pusher: Pick<Pusher, 'disconnect'>,
  token: string,
): Promise<Revocation> {
  const principal = await resolveToken(chat, token);
  if (!principal) return { revoked: false, connections_closed: 0 };
  const hash = hashToken(token);
  const before = await closeTokenConnections(connections, pusher, principal, hash);
  const revoked = await revokeToken(chat, token);
  // Lists again: sockets opened meanwhile, and any whose DELETE failed above (their rows were kept).
  const after = await closeTokenConnections(connections, pusher, principal, hash);
  if (after.failed > 0) {
    throw new ConnectionsNotClosedError(
      `The token is revoked, but ${after.failed} of its WebSocket connection(s) could not be closed through @connections; they end within 2 hours`,
    );
  }
  return { revoked, connections_closed: before.closed + after.closed };
}
