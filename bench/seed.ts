import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chatTableRef } from '../lib/deps';
import { syncInbox } from '../lib/entities/inbox';
import { newWriteId } from '../lib/ids';
import { readHead, sessionKeys, toEntry, type SessionState } from '../lib/entities/session';
import type { IssuedCredential } from '../lib/ops/principals';
import type { BenchEnv } from './env';
import { clientMessageId, messageText } from './http';
import { nowMs, pool, range } from './stats';

export interface SeededSession {
  sessionId: number;
  entries: number;
  seconds: number;
  /** The stored item the copies were made from: a real entry, written by a real send. */
  template: Record<string, unknown>;
}

/** One log entry as stored, read back raw (keys and all). */
export async function readEntryItem(env: BenchEnv, sessionId: number, seq: number): Promise<Record<string, unknown>> {
  const out = await env.stack.deps.db.send(new GetCommand({ TableName: env.stack.tables.chat, Key: { pk: sessionKeys.pk(sessionId), sk: sessionKeys.sk(seq) } }));
  if (!out.Item) throw new Error(`no entry ${seq} in session ${sessionId}`);
  return out.Item;
}

async function batchWrite(db: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
    const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
    requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
  }
}

/**
 * A session with `count` entries, as if the store had written them one a
 * second until now: a real send opens the session and gives the template
 * (the exact item shape lib/entities/session.ts writes), copies fill seq
 * 1..count with their own text, ids and times, each carrying the session
 * state after it, and the inbox entry is moved to the newest one as
 * syncInbox would have. The store's active_session_id already points here.
 */
export async function seedLongSession(env: BenchEnv, store: IssuedCredential, count: number): Promise<SeededSession> {
  const sent = await env.client.send(store.token, messageText('seed'), clientMessageId('seed'));
  const sessionId = sent.body.session.id;
  const template = await readEntryItem(env, sessionId, 1);
  const original = toEntry(template);
  const start = Date.now() - count * 1000;
  const at = (seq: number) => new Date(start + seq * 1000).toISOString();
  const itemFor = (seq: number): Record<string, unknown> => {
    const created = at(seq);
    const session: SessionState = { ...original.session, created: at(1), updated: created, last_message_at: created, last_store_message_at: created };
    return {
      ...template,
      sk: sessionKeys.sk(seq),
      seq,
      created,
      content: messageText(`seed${seq}`),
      client_message_id: clientMessageId(`seed${seq}`),
      write_id: newWriteId(),
      session,
    };
  };

  const started = nowMs();
  const batches = range(Math.ceil(count / 25)).map((b) => range(Math.min(25, count - b * 25)).map((i) => b * 25 + i + 1));
  await pool(batches, 16, (seqs) => batchWrite(env.stack.deps.db, env.stack.tables.chat, seqs.map(itemFor)));
  const seconds = (nowMs() - started) / 1000;

  const ref = chatTableRef(env.stack.deps);
  const head = await readHead(ref, sessionId);
  if (head?.seq !== count) throw new Error(`seeded session ${sessionId} has head seq ${head?.seq}, expected ${count}`);
  await syncInbox(ref, head, original);
  return { sessionId, entries: count, seconds, template };
}
