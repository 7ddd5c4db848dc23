import { useSignal, useSignalEffect } from '@preact/signals';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Conversation as Held, Desk, Row } from '../desk';
import { Composer } from './Composer';
import { useDesk } from './context';
import { TransferDialog } from './dialogs';
import { MessageItem, PendingItem } from './MessageItem';

function MessageList(props: { conversation: Held; storeName: string }) {
  const desk = useDesk();
  const { conversation, storeName } = props;
  const messages = conversation.messages.value;
  const pending = conversation.pending.value;
  const ref = useRef<HTMLOListElement>(null);
  // Where the list stood at the last render: to stay at the bottom, or keep the view still when older messages land on top.
  const last = useRef({ atBottom: true, height: 0, firstId: 0 });

  useLayoutEffect(() => {
    const list = ref.current;
    if (!list) return;
    const firstId = messages[0]?.id ?? 0;
    const before = last.current;
    if (before.firstId !== 0 && firstId < before.firstId && !before.atBottom) list.scrollTop += list.scrollHeight - before.height;
    else if (before.atBottom) list.scrollTop = list.scrollHeight;
    last.current = { atBottom: list.scrollHeight - list.scrollTop - list.clientHeight < 60, height: list.scrollHeight, firstId };
  }, [messages, pending]);

  const onScroll = () => {
    const list = ref.current;
    if (!list) return;
    last.current = { ...last.current, atBottom: list.scrollHeight - list.scrollTop - list.clientHeight < 60, height: list.scrollHeight };
    if (list.scrollTop < 80 && conversation.hasOlder.value && !conversation.loadingOlder.value) void desk.loadOlder(conversation);
  };

  return (
    <ol class="messages" aria-label="Messages" ref={ref} onScroll={onScroll} tabIndex={0}>
      {conversation.hasOlder.value && (
        <li class="older">
          <button type="button" class="link-button" disabled={conversation.loadingOlder.value} onClick={() => void desk.loadOlder(conversation)}>
            {conversation.loadingOlder.value ? 'Loading older messages…' : 'Load older messages'}
          </button>
        </li>
      )}
      {messages.map((message) => (
        <MessageItem key={message.id} message={message} desk={desk} storeName={storeName} trusted={desk.config.trustedOrigins} />
      ))}
      {pending.map((item) => (
        <PendingItem key={item.id} pending={item} desk={desk} sessionId={conversation.sessionId} />
      ))}
    </ol>
  );
}

function TypingIndicator(props: { sessionId: number; storeName: string }) {
  const desk = useDesk();
  const typing = desk.typing.value.get(props.sessionId);
  const text = typing?.store ? `${props.storeName} is typing…` : typing?.admin ? `${desk.adminName(typing.admin)} is typing…` : '';
  return (
    <div role="status" aria-label="Typing" class="typing">
      {text}
    </div>
  );
}

function Actions(props: { row: Row; desk: Desk }) {
  const { row, desk } = props;
  const transferring = useSignal(false);
  const busy = useSignal(false);
  const { session, store } = row;
  const open = session.status === 'open';
  const mine = session.admin_id === desk.me.id;
  const unclaimed = session.admin_id === null;
  const run = async (work: () => Promise<unknown>) => {
    busy.value = true;
    try {
      await work();
    } finally {
      busy.value = false;
    }
  };
  return (
    <div class="actions" role="toolbar" aria-label="Session actions">
      {open && unclaimed && (
        <button type="button" class="primary" disabled={busy.value} onClick={() => void run(() => desk.sessionAction('claim', session.id))}>
          Claim
        </button>
      )}
      {open && mine && (
        <button type="button" disabled={busy.value} onClick={() => void run(() => desk.sessionAction('release', session.id))}>
          Release
        </button>
      )}
      {open && mine && (
        <button type="button" disabled={busy.value} onClick={() => (transferring.value = true)}>
          Transfer
        </button>
      )}
      {open && (unclaimed || mine) && (
        <button type="button" disabled={busy.value} onClick={() => void run(() => desk.sessionAction('close', session.id))}>
          Close
        </button>
      )}
      <button type="button" class={store.blocked ? '' : 'danger'} disabled={busy.value} onClick={() => void run(() => desk.storeAction(store.blocked ? 'unblock' : 'block', store.id))}>
        {store.blocked ? 'Unblock store' : 'Block store'}
      </button>
      {transferring.value && <TransferDialog sessionId={session.id} onClose={() => (transferring.value = false)} />}
    </div>
  );
}

export function ConversationView(props: { sessionId: number }) {
  const desk = useDesk();
  const conversation = desk.conversation(props.sessionId);
  const row = desk.rows.value.get(props.sessionId);

  // Read receipts whenever new store messages show while the agent looks (README "Admin WebSocket", `read`).
  useSignalEffect(() => {
    void conversation.messages.value;
    void desk.visible.value;
    desk.markRead(conversation);
  });

  if (!row) {
    return (
      <section class="conversation" aria-label="Conversation">
        <p class="empty">{conversation.error.value || 'Loading…'}</p>
      </section>
    );
  }
  const { session, store } = row;
  const assignee = session.admin_id === null ? 'unclaimed' : session.admin_id === desk.me.id ? 'claimed by you' : `claimed by ${desk.adminName(session.admin_id)}`;
  const mine = session.admin_id === desk.me.id;
  return (
    <section class="conversation" aria-label="Conversation" data-conversation-id={session.id}>
      <header class="conversation-head">
        <div class="who">
          <h2>
            {store.name}
            {store.blocked && <span class="tag tag-blocked">blocked</span>}
          </h2>
          <p class="sub">
            Session {session.id} · {session.status === 'open' ? assignee : 'closed'}
          </p>
        </div>
        <Actions row={row} desk={desk} />
      </header>
      {conversation.error.value && (
        <p class="error" role="alert">
          {conversation.error.value}
        </p>
      )}
      <MessageList conversation={conversation} storeName={store.name} />
      <TypingIndicator sessionId={session.id} storeName={store.name} />
      {session.status !== 'open' ? (
        <p class="composer-hint">This session is closed. The store's next message opens a new one.</p>
      ) : mine ? (
        <Composer sessionId={session.id} storeId={store.id} />
      ) : (
        <p class="composer-hint">{session.admin_id === null ? 'Claim the session to reply.' : `${desk.adminName(session.admin_id)} is handling this session.`}</p>
      )}
    </section>
  );
}
