import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { connectionsTable } from '../db/schema';
import type { TableRef } from '../db/types';
import type { Principal } from './principal';

/** API Gateway closes a WebSocket after 2 hours; the TTL sweeps rows it missed. */
export const connectionTtlSeconds = 2 * 60 * 60 + 5 * 60;

export interface Connection {
  connection_id: string;
  audience: string;
  member: string;
  principal_type: Principal['kind'];
  principal_id: number;
  connected_at: string;
  expires_at: number;
  /** SHA-256 of the token the socket was opened with (never the token): revoking it finds its sockets. */
  token_hash?: string;
}

const audienceOf = (principal: Principal) => (principal.kind === 'admin' ? 'admins' : `store#${principal.id}`);
const memberOf = (principal: Principal, connectionId: string) => `${principal.id}#${connectionId}`;

export async function putConnection(
  { db, table }: TableRef,
  connectionId: string,
  principal: Principal,
  nowMs: number,
  tokenHash?: string,
): Promise<Connection> {
  const item: Connection = {
    connection_id: connectionId,
    audience: audienceOf(principal),
    member: memberOf(principal, connectionId),
    principal_type: principal.kind,
    principal_id: principal.id,
    connected_at: new Date(nowMs).toISOString(),
    expires_at: Math.floor(nowMs / 1000) + connectionTtlSeconds,
    ...(tokenHash ? { token_hash: tokenHash } : {}),
  };
  await db.send(new PutCommand({ TableName: table, Item: item }));
  return item;
}

export async function deleteConnection({ db, table }: TableRef, connectionId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: table, Key: { connection_id: connectionId } }));
}

/** Every admin connection, or one admin's connections. */
export function listAdminConnections(ref: TableRef, adminId?: number): Promise<Connection[]> {
  return queryAudience(ref, 'admins', adminId);
}

/** One principal's connections, store or admin (access pattern 13: the index, never a Scan). */
export function listPrincipalConnections(ref: TableRef, principal: Principal): Promise<Connection[]> {
  return queryAudience(ref, audienceOf(principal), principal.id);
}

async function queryAudience({ db, table }: TableRef, audience: string, principalId?: number): Promise<Connection[]> {
  const index = connectionsTable.globalIndexes[0];
  const connections: Connection[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: index.name,
        KeyConditionExpression:
          principalId === undefined ? 'audience = :audience' : 'audience = :audience AND begins_with(#member, :member)',
        ExpressionAttributeNames: principalId === undefined ? undefined : { '#member': 'member' },
        ExpressionAttributeValues:
          principalId === undefined ? { ':audience': audience } : { ':audience': audience, ':member': `${principalId}#` },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of out.Items ?? []) connections.push(item as Connection);
    cursor = out.LastEvaluatedKey;
  } while (cursor);
  return connections;
}
