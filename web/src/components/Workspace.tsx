import { useSignal, useSignalEffect } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { Desk } from '../desk';
import { previewText } from '../preview';
import { DeskContext, useDesk } from './context';
import { ConversationView } from './Conversation';
import { Inbox } from './Inbox';

function BellPanel(props: { onClose: () => void }) {
  const desk = useDesk();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') props.onClose();
    };
    // A click anywhere but the panel and its button closes it, as a menu does.
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node | null;
      if (target && !ref.current?.parentElement?.contains(target)) props.onClose();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, []);
  const notices = [...desk.notices.value.values()].sort((a, b) => (b.last?.id ?? 0) - (a.last?.id ?? 0));
  const rows = desk.rows.value;
  const assignee = (sessionId: number) => {
    const row = rows.get(sessionId);
    return row && desk.assigneeName(row.session);
  };
  return (
    <div class="bell-panel" role="dialog" aria-label="Notification list" ref={ref}>
      <div class="bell-head">
        <strong>Notifications</strong>
        <button type="button" class="link-button" disabled={desk.bellCount.value === 0} onClick={() => void desk.readAllNotices()}>
          Mark all read
        </button>
      </div>
      {notices.length === 0 && <p class="empty">No notifications.</p>}
      <ul class="bell-list">
        {notices.map((notice) => (
          <li key={notice.session_id}>
            <button
              type="button"
              class={`bell-item${notice.unread ? ' unread' : ''}`}
              data-notification-id={notice.session_id}
              onClick={() => {
                desk.open(notice.session_id);
                desk.readNotice(notice.session_id);
                props.onClose();
              }}
            >
              <span class="row-store">{rows.get(notice.session_id)?.store.name ?? `Store ${notice.store_id}`}</span>
              <span class="row-preview">{previewText(notice.last, assignee(notice.session_id))}</span>
              {notice.unread && <span class="sr-only">unread</span>}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Header(props: { onSignOut: () => void }) {
  const desk = useDesk();
  const bellOpen = useSignal(false);
  const state = desk.socket.state.value;
  const alerts = desk.alerts;
  return (
    <header class="top">
      <h1>Support console</h1>
      <span class={`connection connection-${state}`}>{state === 'connected' ? 'Live' : state === 'reconnecting' ? 'Offline' : 'Connecting…'}</span>
      <span class="spacer" />
      {!alerts.enabled.value && alerts.permission.value !== 'unsupported' && (
        <button type="button" title="Desktop notifications and a sound for new chats and messages" onClick={() => void alerts.enable()}>
          Enable alerts
        </button>
      )}
      {alerts.enabled.value && alerts.permission.value === 'denied' && <span class="hint">Sound only: the browser blocks notifications</span>}
      <div class="bell">
        <button type="button" class="bell-button" aria-label="Notifications" aria-expanded={bellOpen.value} data-count={desk.bellCount.value} onClick={() => (bellOpen.value = !bellOpen.value)}>
          <svg class="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
          </svg>
          {desk.bellCount.value > 0 && (
            <span class="badge" aria-hidden="true">
              {desk.bellCount.value}
            </span>
          )}
        </button>
        {bellOpen.value && <BellPanel onClose={() => (bellOpen.value = false)} />}
      </div>
      <span class="agent" title="Signed in as">
        {desk.me.name}
      </span>
      <button type="button" onClick={props.onSignOut}>
        Sign out
      </button>
    </header>
  );
}

export function Workspace(props: { desk: Desk; onSignOut: () => void }) {
  const { desk } = props;
  // The unread count in the tab's title, for an agent working in another tab.
  useSignalEffect(() => {
    const count = desk.bellCount.value;
    document.title = count > 0 ? `(${count}) Support console` : 'Support console';
  });
  const state = desk.socket.state.value;
  const selected = desk.selected.value;
  return (
    <DeskContext.Provider value={desk}>
      <div class="app" data-connection={state}>
        <Header onSignOut={props.onSignOut} />
        {state === 'reconnecting' && (
          <div class="banner" role="status">
            Reconnecting… Messages you send are kept and go out once the connection is back.
          </div>
        )}
        {desk.notice.value && (
          <div class="notice" role="alert">
            <span>{desk.notice.value}</span>
            <button type="button" class="link-button" onClick={() => (desk.notice.value = '')}>
              Dismiss
            </button>
          </div>
        )}
        <div class="panes">
          <Inbox />
          {selected === null ? (
            <section class="conversation placeholder" aria-label="Conversation">
              <p class="empty">Choose a session from the inbox (arrow keys or j/k, then Enter).</p>
            </section>
          ) : (
            <ConversationView key={selected} sessionId={selected} />
          )}
        </div>
      </div>
    </DeskContext.Provider>
  );
}
