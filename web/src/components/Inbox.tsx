import { Component } from 'preact';
import type { Desk, Row } from '../desk';
import { formatTime } from '../format';
import { previewText } from '../preview';
import type { Tab } from '../types';
import { useDesk } from './context';

const tabs: Array<{ id: Tab; label: string }> = [
  { id: 'unclaimed', label: 'Unclaimed' },
  { id: 'mine', label: 'Mine' },
  { id: 'open', label: 'Open' },
  { id: 'closed', label: 'Closed' },
];

interface RowProps {
  row: Row;
  unread: number;
  selected: boolean;
  assignee: string;
  preview: string;
  onOpen: (sessionId: number) => void;
}

/** One inbox row; re-renders only when its own row object changes, so a live inbox of 1,000 stays cheap. */
class SessionRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const props = this.props;
    return next.row !== props.row || next.unread !== props.unread || next.selected !== props.selected || next.assignee !== props.assignee || next.preview !== props.preview;
  }

  override render() {
    const { row, unread, selected, assignee, preview, onOpen } = this.props;
    return (
      <li class="row-item">
        <button
          type="button"
          class={`row${selected ? ' selected' : ''}${unread > 0 ? ' has-unread' : ''}`}
          data-session-id={row.session.id}
          data-unread={unread}
          aria-current={selected ? 'true' : undefined}
          // The name is the store's alone: previews ("[claimed]") and states must not match action buttons by name.
          aria-label={row.store.name}
          aria-describedby={`row-${row.session.id}-preview`}
          onClick={() => onOpen(row.session.id)}
        >
          <span class="row-top">
            <span class="row-store">{row.store.name}</span>
            {row.store.blocked && <span class="tag tag-blocked">blocked</span>}
            <time class="row-time" dateTime={row.session.last_message_at}>
              {formatTime(row.session.last_message_at)}
            </time>
          </span>
          <span class="row-preview" id={`row-${row.session.id}-preview`}>
            {preview || ' '}
          </span>
          <span class="row-bottom">
            <span class="row-assignee">{assignee}</span>
            {unread > 0 && (
              <span class="badge" title={`${unread} unread`}>
                {unread}
                <span class="sr-only"> unread</span>
              </span>
            )}
          </span>
        </button>
      </li>
    );
  }
}

function moveFocus(event: KeyboardEvent): void {
  const list = event.currentTarget as HTMLElement;
  const buttons = Array.from(list.querySelectorAll<HTMLButtonElement>('button[data-session-id]'));
  if (buttons.length === 0) return;
  const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
  let next = -1;
  if (event.key === 'ArrowDown' || event.key === 'j') next = Math.min(buttons.length - 1, index + 1);
  else if (event.key === 'ArrowUp' || event.key === 'k') next = Math.max(0, index - 1);
  else if (event.key === 'Home') next = 0;
  else if (event.key === 'End') next = buttons.length - 1;
  else return;
  event.preventDefault();
  buttons[next]?.focus();
}

function assigneeOf(desk: Desk, row: Row): string {
  if (row.session.status === 'closed') return 'closed';
  if (row.session.admin_id === null) return 'unclaimed';
  return row.session.admin_id === desk.me.id ? 'you' : desk.adminName(row.session.admin_id);
}

export function Inbox() {
  const desk = useDesk();
  const current = desk.tab.value;
  const rows = desk.tabRows.value;
  const counts = desk.tabCounts.value;
  const notices = desk.notices.value;
  const selected = desk.selected.value;
  const loading = desk.loading.value[current] === true;
  const more = desk.more.value[current];
  // Read so that names update once the admin directory arrives.
  void desk.admins.value;

  const onTabKey = (event: KeyboardEvent) => {
    const index = tabs.findIndex((tab) => tab.id === current);
    let next = index;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (index + tabs.length - 1) % tabs.length;
    else return;
    event.preventDefault();
    const tab = tabs[next];
    if (!tab) return;
    desk.selectTab(tab.id);
    document.getElementById(`tab-${tab.id}`)?.focus();
  };

  return (
    <nav class="inbox" aria-label="Inbox">
      <div role="tablist" aria-label="Inbox views" class="tabs" onKeyDown={onTabKey}>
        {tabs.map((tab) => (
          <button
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            key={tab.id}
            aria-selected={tab.id === current}
            aria-controls="inbox-panel"
            tabIndex={tab.id === current ? 0 : -1}
            class="tab"
            onClick={() => desk.selectTab(tab.id)}
          >
            {tab.label}
            {tab.id !== 'closed' && counts[tab.id] > 0 && <span class="count"> {counts[tab.id]}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="inbox-panel" aria-labelledby={`tab-${current}`} class="tabpanel" aria-busy={loading}>
        <ul class="sessions" aria-label="Sessions" onKeyDown={moveFocus}>
          {rows.map((row) => (
            <SessionRow
              key={row.session.id}
              row={row}
              unread={Math.max(row.unread, notices.get(row.session.id)?.unread ? 1 : 0)}
              selected={row.session.id === selected}
              assignee={assigneeOf(desk, row)}
              preview={previewText(row.last, desk.assigneeName(row.session))}
              onOpen={desk.openSession}
            />
          ))}
        </ul>
        {rows.length === 0 && <p class="empty">{loading ? 'Loading…' : 'Nothing here.'}</p>}
        {more && (
          <button type="button" class="more" disabled={loading} onClick={() => void desk.loadMore(current)}>
            Load more
          </button>
        )}
      </div>
    </nav>
  );
}
