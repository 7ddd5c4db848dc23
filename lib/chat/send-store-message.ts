import { chatTableRef, type Deps } from '../deps';
import type { Connection } from '../entities/connection';
import { getPrincipal } from '../entities/principal';
import { readHead, maxSeq, messageId, type Entry, type SessionState } from '../entities/session';
import { swapActiveSession } from '../entities/store';
import { nextId } from '../entities/counter';
import { AppError, InternalError, ServiceUnavailableError, UnauthorizedError } from '../errors';
import { isoTime } from '../clock';
import { newWriteId } from '../ids';
import { messageCreated } from '../realtime/events';
import { sessionAudience } from '../realtime/fanout';
import { appendToSession } from './append';
import { afterCommit } from './after-commit';
import type { MessageInput } from './store-message-input';
import { sessionView, type MessageView, type SessionView } from './views';
import { presentMessage } from '../attachments/present';
import { settleAttachment } from '../attachments/attach';

export interface SentMessage {
  session: SessionView;
  message: MessageView;
}

interface Target {
  sessionId: number;
  head: Entry | undefined;
}

/** Raised inside the append loop when the session stopped taking messages. */
class SessionUnavailable extends Error {}

const isOpen = (head: Entry | undefined) => head === undefined || (head.session.status === 'open' && head.seq < maxSeq);

/**
 * The store's active session, or a new one. Concurrent first messages all
 * try to swap the store's pointer from the same old value; one swap wins and
 * the others adopt the winner's session.
 */
async function prepareSession(deps: Deps, storeId: number): Promise<Target> {
  const chat = chatTableRef(deps);
  for (let attempt = 0; attempt < 5; attempt++) {
    const store = await getPrincipal(chat, 'store', storeId);
    if (!store) throw new UnauthorizedError();
    const active = store.active_session_id;
    if (active !== undefined) {
      const head = await readHead(chat, active);
      if (isOpen(head)) return { sessionId: active, head };
    }
    const sessionId = await nextId(chat, 'session');
    if (await swapActiveSession(chat, storeId, active, sessionId)) return { sessionId, head: undefined };
  }
  throw new Error('Could not settle the active session after 5 attempts');
}

async function prepareOrFail(deps: Deps, storeId: number): Promise<Target> {
  try {
    return await prepareSession(deps, storeId);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new InternalError('Could not prepare chat session', { cause: error });
  }
}

function nextState(head: Entry | undefined, sessionId: number, storeId: number, created: string): SessionState {
  if (!head) {
    return {
      id: sessionId,
      store_id: storeId,
      admin_id: null,
      status: 'open',
      created,
      updated: created,
      last_message_at: created,
      last_store_message_at: created,
    };
  }
  return { ...head.session, updated: created, last_message_at: created, last_store_message_at: created };
}

/** Seed 000: store a store's message in its active session and tell the admins who should see it. */
export async function sendStoreMessage(deps: Deps, storeId: number, message: MessageInput): Promise<SentMessage> {
  const chat = chatTableRef(deps);
  const input = await settleAttachment(deps, { kind: 'store', id: storeId }, message);
  const writeId = newWriteId();
  const audiences = new Map<number | null, Promise<Connection[]>>();
  const audienceFor = (adminId: number | null) => {
    let found = audiences.get(adminId);
    if (!found) audiences.set(adminId, (found = sessionAudience(deps, adminId)));
    return found;
  };

  let target = await prepareOrFail(deps, storeId);
  for (let round = 0; round < 5; round++) {
    try {
      const appended = await appendToSession(chat, target.sessionId, target.head, async (head) => {
        if (!isOpen(head)) throw new SessionUnavailable();
        // Never earlier than the entry before it, whatever this instance's clock says.
        const created = isoTime(Math.max(deps.clock.now(), head ? Date.parse(head.created) : 0));
        const session = nextState(head, target.sessionId, storeId, created);
        const online = (await audienceFor(session.admin_id)).length > 0;
        const seq = (head?.seq ?? 0) + 1;
        return {
          seq,
          id: messageId(target.sessionId, seq),
          session,
          sender_type: 'store',
          sender_id: storeId,
          ...input,
          delivery: online ? 'delivered' : 'sent',
          created,
          write_id: writeId,
        };
      });
      const recipients = await audienceFor(appended.entry.session.admin_id);
      const view = await presentMessage(deps, appended.entry);
      await afterCommit(deps, appended, recipients, messageCreated(appended.entry, view));
      return { session: sessionView(appended.entry.session), message: view };
    } catch (error) {
      if (error instanceof SessionUnavailable) {
        target = await prepareOrFail(deps, storeId);
        continue;
      }
      if (error instanceof AppError) throw error;
      throw new ServiceUnavailableError('Could not store the message, please retry', { cause: error });
    }
  }
  throw new ServiceUnavailableError('Could not store the message, please retry');
}
