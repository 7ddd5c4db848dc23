import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { chatTableRef } from '../../lib/deps';
import { getPrincipal } from '../../lib/entities/principal';
import { sessionKeys, toEntry, type Entry } from '../../lib/entities/session';
import type { LocalStack } from '../../infra/local/stack';

/** Reads what a store has stored, straight from DynamoDB, to prove what a response claims. */
export async function storedEntries(stack: LocalStack, sessionId: number): Promise<Entry[]> {
  const out = await stack.deps.db.send(
    new QueryCommand({
      TableName: stack.tables.chat,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
      ExpressionAttributeValues: { ':pk': sessionKeys.pk(sessionId), ':msg': 'MSG#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map(toEntry);
}

/** The store's and admins' messages in a session, without system messages (claims, notices...). */
export async function chatEntries(stack: LocalStack, sessionId: number): Promise<Entry[]> {
  return (await storedEntries(stack, sessionId)).filter((entry) => entry.sender_type !== 'system');
}

export async function activeSessionId(stack: LocalStack, storeId: number): Promise<number | undefined> {
  return (await getPrincipal(chatTableRef(stack.deps), 'store', storeId))?.active_session_id;
}

/** Every message a store has, across its active session; [] when it has none. */
export async function storeMessages(stack: LocalStack, storeId: number): Promise<Entry[]> {
  const sessionId = await activeSessionId(stack, storeId);
  return sessionId === undefined ? [] : storedEntries(stack, sessionId);
}

/** The open-inbox entries that belong to one session. */
export async function openInboxEntries(stack: LocalStack, sessionId: number): Promise<Record<string, unknown>[]> {
  const out = await stack.deps.db.send(
    new QueryCommand({ TableName: stack.tables.chat, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'INBOX#open' }, ConsistentRead: true }),
  );
  return (out.Items ?? []).filter((item) => (item.session as { id: number }).id === sessionId);
}
