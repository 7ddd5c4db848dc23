/**
 * README "Coming online and reconnecting", followed as written. On every socket open:
 * 1. at once: for each session whose messages we hold, `after=<last id>` (all pages); then the inbox;
 * 2. 2 s after the socket opened: every page of `state=open`, and `after=<last id>` for each held session whose
 *    `last_message.id` is past our last id, or that the list no longer shows (closed since);
 * 3. the gap rule runs on every message added (Desk.arrive).
 * The first open runs the same steps but the inbox read: Desk.start read it already, before the socket was up,
 * so the first paint waits for no handshake. Step 2 (with the bell read again) catches whatever reached the
 * inbox between that read and the socket; if that read failed, the first open reads the inbox again.
 */
import type { Desk } from './desk';

export const secondRecoveryMs = 2000;

export class Recovery {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly desk: Desk) {}

  onOpen(reconnected: boolean): void {
    const desk = this.desk;
    for (const conversation of desk.loadedConversations()) void desk.fetchAfter(conversation);
    if (reconnected) void desk.refreshInbox();
    else void desk.inboxListed.then((complete) => complete || desk.refreshInbox());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.second(), secondRecoveryMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private async second(): Promise<void> {
    const desk = this.desk;
    // The open list has no bell: a notification written before the socket was registered is read here.
    void desk.loadNotifications();
    let listed;
    try {
      listed = await desk.listAll('open');
    } catch {
      // The socket is probably gone again; the next open recovers.
      return;
    }
    const byId = new Map(listed.items.map((item) => [item.session.id, item]));
    for (const conversation of desk.loadedConversations()) {
      const item = byId.get(conversation.sessionId);
      if (!item ? listed.complete : item.last_message.id > conversation.lastId) void desk.fetchAfter(conversation);
    }
    if (!listed.complete) return;
    // Rows we show as open that the list no longer has were closed meanwhile: read their state.
    for (const row of desk.rows.value.values()) {
      if (row.session.status === 'open' && !byId.has(row.session.id) && !desk.loadedConversations().some((c) => c.sessionId === row.session.id)) {
        void desk.refreshSession(row.session.id);
      }
    }
  }
}
