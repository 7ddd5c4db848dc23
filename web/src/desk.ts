/**
 * One signed-in agent's console state: the inbox rows, the open conversations, notifications, typing, and the
 * socket that keeps them live. Components read the signals; every change arrives here, from an HTTP page, a
 * pushed event or an action's result. Signing out disposes of the whole Desk.
 */
import { batch, computed, effect, signal, untracked } from '@preact/signals';
import { Alerts } from './alerts';
import { type Api, errorText, type NotificationsPage, type SessionsPage } from './api';
import { backoffDelay } from './backoff';
import type { ConsoleConfig } from './config';
import { asMessage, asSession, asStore, num } from './frames';
import { mergeById, takeArrivals } from './history';
import { lastMessageOf, previewText } from './preview';
import { byActivity, inTab, mergeRow, type Row } from './inbox';
import { Recovery } from './recovery';
import { ActionError, ChatSocket, type Frame, NoAnswerError } from './socket';
import type { Admin, InboxSession, LastMessage, Message, Session, Store, Tab } from './types';

export { inTab, type Row };

export interface Notice {
  session_id: number;
  store_id: number;
  last: LastMessage | null;
  unread: boolean;
}

export interface SendBody {
  content?: string;
  attachment_url?: string;
  attachment_type?: string;
  product_id?: number;
  special_type?: 'open_url' | 'quick_replies';
  special_param?: string | string[];
}

export interface PendingSend {
  /** The client_message_id, kept for every retry so a retry never duplicates (README "Idempotent sends"). */
  id: string;
  body: SendBody;
  state: 'sending' | 'failed';
  error: string;
}

export interface Typing {
  store: boolean;
  admin: number | null;
}

export class Conversation {
  readonly messages = signal<Message[]>([]);
  readonly pending = signal<PendingSend[]>([]);
  readonly loaded = signal(false);
  readonly hasOlder = signal(false);
  readonly loadingOlder = signal(false);
  readonly error = signal('');
  /** The last id held with nothing missing before it: the `after=` of every catch-up. */
  lastId = 0;
  readSent = 0;
  fetching: Promise<void> | null = null;
  again = false;
  constructor(readonly sessionId: number) {}
}

const tabs: Tab[] = ['unclaimed', 'mine', 'open', 'closed'];
const maxPages = 30;
/** How often an open conversation another agent holds is read (nothing of it is pushed to us). */
export const othersPollMs = 5000;
/** The tab a new Desk shows. */
export const firstTab: Tab = 'unclaimed';

/** The first page of the shown tab and of the bell, asked for alongside GET /me (main.tsx) rather than after it. */
export interface Head {
  tab: Tab;
  sessions: Promise<SessionsPage>;
  notifications: Promise<NotificationsPage>;
}

/**
 * The first pages are a screenful, not the endpoint's 100: on a busy API (the local stack answers one request at a
 * time per core) they answer sooner and paint sooner; the rest follow by 100.
 */
const firstPageSize = 30;

export function requestHead(api: Api, tab: Tab = firstTab): Head {
  const head = { tab, sessions: api.sessions(tab, undefined, firstPageSize), notifications: api.notifications(undefined, firstPageSize) };
  // Awaited only once GET /me accepts the token: a refused one must not surface as an unhandled rejection.
  head.sessions.catch(() => undefined);
  head.notifications.catch(() => undefined);
  return head;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** After the next frame is painted (or `cap` ms, as a hidden tab paints none). */
function afterPaint(cap: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, cap);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

export class Desk {
  readonly rows = signal<ReadonlyMap<number, Row>>(new Map());
  readonly notices = signal<ReadonlyMap<number, Notice>>(new Map());
  readonly tab = signal<Tab>(firstTab);
  readonly selected = signal<number | null>(null);
  readonly more = signal<Partial<Record<Tab, string>>>({});
  readonly loading = signal<Partial<Record<Tab, boolean>>>({});
  readonly admins = signal<Admin[]>([]);
  readonly typing = signal<ReadonlyMap<number, Typing>>(new Map());
  /** The last failed action, for the page's alert region. */
  readonly notice = signal('');
  readonly alerts = new Alerts();
  readonly socket: ChatSocket;

  readonly bellCount = computed(() => {
    let count = 0;
    for (const notice of this.notices.value.values()) if (notice.unread) count += 1;
    return count;
  });

  readonly tabRows = computed(() => {
    const tab = this.tab.value;
    const meId = this.me.id;
    return [...this.rows.value.values()].filter((row) => inTab(row, tab, meId)).sort(byActivity);
  });

  readonly tabCounts = computed(() => {
    const counts: Record<Tab, number> = { unclaimed: 0, mine: 0, open: 0, closed: 0 };
    for (const row of this.rows.value.values()) for (const tab of tabs) if (inTab(row, tab, this.me.id)) counts[tab] += 1;
    return counts;
  });

  private readonly conversations = new Map<number, Conversation>();
  private readonly stores = new Map<number, Store>();
  private readonly typingTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly loadedTabs = new Set<Tab>();
  private readonly recovery: Recovery;
  private storesTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private stopWatching: (() => void) | undefined;
  /** Resolves once the first page of the inbox is on screen: further requests wait for it (Desk.start). */
  private firstPainted: Promise<void> = Promise.resolve();

  /**
   * The open conversation, in a visible tab, when another agent holds it: the server pushes its messages to that
   * agent only (README "Admin WebSocket"), so it is read `after=<last id>` every 5 s instead.
   */
  readonly othersOpen = computed(() => {
    const id = this.selected.value;
    if (id === null || !this.visible.value) return null;
    const session = this.rows.value.get(id)?.session;
    return session?.status === 'open' && session.admin_id !== null && session.admin_id !== this.me.id ? id : null;
  });

  constructor(
    readonly config: ConsoleConfig,
    readonly api: Api,
    readonly me: Admin,
    token: string,
    private readonly onSignedOut: (reason: string) => void,
  ) {
    this.recovery = new Recovery(this);
    this.socket = new ChatSocket(config.wsUrl, token, {
      onEvent: (frame) => this.handleEvent(frame),
      onOpen: (reconnected) => this.recovery.onOpen(reconnected),
      onRefused: (attempts) => {
        if (attempts % 3 === 0) void this.checkToken();
      },
    });
  }

  /** The inbox read at start: resolves false if part of it failed (the socket's first open then reads it again). */
  inboxListed: Promise<boolean> = Promise.resolve(false);

  /**
   * The inbox is read at once, not once the socket is up: the first paint waits for no handshake, and the
   * recovery 2 s after the socket opens catches whatever lands in between (README "Coming online and reconnecting").
   * Everything else (the socket, the directory, the other tabs, further pages) waits until the first page is
   * painted (at most 1 s): on a busy API their work would slow the one answer the first paint waits for.
   */
  start(head?: Head): void {
    document.addEventListener('visibilitychange', this.onVisibility);
    this.stopWatching = effect(() => {
      const sessionId = this.othersOpen.value;
      // Only that value restarts the polling, not the signals a catch-up reads.
      return untracked(() => this.pollOthers(sessionId));
    });
    if (head) {
      const started = Date.now();
      const arrived = head.sessions.then(() => undefined, () => undefined);
      this.firstPainted = Promise.race([arrived, sleep(1000)]).then(() => afterPaint(Math.max(0, 1000 - (Date.now() - started))));
    }
    const firstPage = this.firstPainted;
    this.inboxListed = this.refreshInbox(head);
    void firstPage.then(() => {
      if (this.stopped) return;
      this.socket.start();
      void this.loadAdmins();
    });
  }

  stop(): void {
    this.stopped = true;
    this.stopWatching?.();
    this.recovery.stop();
    this.socket.stop();
    this.alerts.close();
    clearTimeout(this.storesTimer);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** A refused handshake may be a revoked token: ask the API, and sign out if it says so. */
  private async checkToken(): Promise<void> {
    try {
      await this.api.me();
    } catch (error) {
      if (error instanceof Error && 'status' in error && error.status === 401) this.onSignedOut('Your token is no longer valid. Sign in again.');
    }
  }

  private readonly onVisibility = (): void => {
    // Read marks wait for a visible tab; the conversation view re-checks when this bumps.
    this.visible.value = document.visibilityState === 'visible';
  };
  readonly visible = signal(typeof document === 'undefined' || document.visibilityState === 'visible');

  /** Runs while `sessionId` is another agent's open conversation; the returned cleanup ends it. */
  private pollOthers(sessionId: number | null): (() => void) | undefined {
    if (sessionId === null) return undefined;
    const catchUp = () => {
      const conversation = this.conversations.get(sessionId);
      if (conversation?.loaded.value && !conversation.fetching) void this.fetchAfter(conversation);
    };
    // At once too: the tab may just have become visible again, after a while of nothing.
    catchUp();
    const timer = setInterval(catchUp, othersPollMs);
    return () => clearInterval(timer);
  }

  // ---------------------------------------------------------------- names

  adminName(id: number | null): string {
    if (id === null) return 'Someone';
    if (id === this.me.id) return this.me.name;
    return this.admins.value.find((admin) => admin.id === id)?.name ?? `Agent ${id}`;
  }

  /** The session's admin as the agent reads it ("you", a name), for previews like "Claimed by Ann"; none while unclaimed. */
  assigneeName(session: Session): string | undefined {
    if (session.admin_id === null) return undefined;
    return session.admin_id === this.me.id ? 'you' : this.adminName(session.admin_id);
  }

  async loadAdmins(): Promise<void> {
    try {
      this.admins.value = (await this.api.admins()).admins;
    } catch {
      // Names fall back to "Agent <id>"; the transfer dialog retries and shows the error.
    }
  }

  // ---------------------------------------------------------------- inbox

  private storeFor(storeId: number): Store {
    const known = this.stores.get(storeId);
    if (known) return known;
    // A session we never listed: its store's name comes with the first page of an inbox list (the newest activity).
    clearTimeout(this.storesTimer);
    this.storesTimer = setTimeout(() => {
      for (const tab of ['unclaimed', 'mine', 'open'] as const) {
        this.api.sessions(tab, undefined, 20).then((page) => this.applyList(page.sessions), () => undefined);
      }
    }, 300);
    return { id: storeId, name: `Store ${storeId}`, blocked: false };
  }

  private mergeRow(old: Row | undefined, session: Session, store: Store | undefined, last: LastMessage | null | undefined): Row {
    if (store) this.stores.set(store.id, store);
    return mergeRow(old, session, store ?? this.storeFor(session.store_id), last);
  }

  private editRows(edit: (rows: Map<number, Row>) => void): void {
    const rows = new Map(this.rows.value);
    edit(rows);
    this.rows.value = rows;
  }

  /** Returns whether the session was known before. */
  upsertSession(session: Session, store?: Store, last?: LastMessage | null): boolean {
    const old = this.rows.value.get(session.id);
    const row = this.mergeRow(old, session, store, last);
    if (row !== old) this.editRows((rows) => rows.set(session.id, row));
    if (session.status === 'closed' || (session.admin_id !== null && session.admin_id !== this.me.id)) this.dropNotice(session.id);
    return old !== undefined;
  }

  applyList(items: readonly InboxSession[]): void {
    if (items.length === 0) return;
    const old = this.rows.value;
    let rows: Map<number, Row> | null = null;
    for (const item of items) {
      const before = (rows ?? old).get(item.session.id);
      const after = this.mergeRow(before, item.session, item.store, item.last_message);
      if (after === before) continue;
      rows ??= new Map(old);
      rows.set(item.session.id, after);
    }
    if (rows) this.rows.value = rows;
  }

  private patchRow(sessionId: number, patch: (row: Row) => Row): void {
    const row = this.rows.value.get(sessionId);
    if (row) this.editRows((rows) => rows.set(sessionId, patch(row)));
  }

  /**
   * Every page of one inbox state (at most 30 × 100), or only the first for `closed`, which only grows.
   * The first page shows at once, the rest together when all have come: the first screen does not wait for the
   * thousandth session, and a long inbox is laid out twice, not once per page.
   */
  async listAll(tab: Tab, first?: Promise<SessionsPage>): Promise<{ items: InboxSession[]; complete: boolean }> {
    const items: InboxSession[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < (tab === 'closed' ? 1 : maxPages); page++) {
        if (page > 0 || !first) await this.firstPainted;
        const answer = await (page === 0 && first ? first : this.api.sessions(tab, cursor));
        items.push(...answer.sessions);
        if (page === 0) this.applyList(answer.sessions);
        cursor = answer.next_cursor ?? undefined;
        if (!cursor) break;
      }
    } finally {
      this.applyList(items);
    }
    this.more.value = { ...this.more.value, [tab]: cursor };
    return { items, complete: cursor === undefined };
  }

  /** Resolves false if the list failed (the error is shown). */
  async refreshTab(tab: Tab, first?: Promise<SessionsPage>): Promise<boolean> {
    this.loading.value = { ...this.loading.value, [tab]: true };
    try {
      const { items, complete } = await this.listAll(tab, first);
      this.loadedTabs.add(tab);
      if (complete && tab !== 'closed') {
        // A row the list no longer shows changed while we were not told (claimed elsewhere, closed): ask for it.
        const listed = new Set(items.map((item) => item.session.id));
        for (const row of this.rows.value.values()) if (inTab(row, tab, this.me.id) && !listed.has(row.session.id)) void this.refreshSession(row.session.id);
      }
      return true;
    } catch (error) {
      this.notice.value = `Could not load the inbox: ${errorText(error)}`;
      return false;
    } finally {
      this.loading.value = { ...this.loading.value, [tab]: false };
    }
  }

  async loadMore(tab: Tab): Promise<void> {
    const cursor = this.more.value[tab];
    if (!cursor) return;
    this.loading.value = { ...this.loading.value, [tab]: true };
    try {
      const answer = await this.api.sessions(tab, cursor);
      this.applyList(answer.sessions);
      this.more.value = { ...this.more.value, [tab]: answer.next_cursor ?? undefined };
    } catch (error) {
      this.notice.value = `Could not load more: ${errorText(error)}`;
    } finally {
      this.loading.value = { ...this.loading.value, [tab]: false };
    }
  }

  selectTab(tab: Tab): void {
    this.tab.value = tab;
    // "open" also moves for messages pushed to other admins only (README "Admin WebSocket"): refresh it when shown.
    if (!this.loadedTabs.has(tab) || tab === 'open') void this.refreshTab(tab);
  }

  /** The session's current state, from its history (which answers with the session). */
  async refreshSession(sessionId: number): Promise<void> {
    const conversation = this.conversations.get(sessionId);
    if (conversation?.loaded.value) return this.fetchAfter(conversation);
    const last = this.rows.value.get(sessionId)?.last;
    try {
      const page = await this.api.messages(sessionId, last ? { after: last.id, limit: 100 } : { limit: 1 });
      const newest = page.messages.at(-1);
      this.upsertSession(page.session, undefined, newest ? lastMessageOf(newest) : undefined);
    } catch {
      // The next recovery or list asks again.
    }
  }

  async loadNotifications(first?: Promise<NotificationsPage>): Promise<boolean> {
    try {
      const notices = new Map<number, Notice>();
      let cursor: string | undefined;
      // About 500 waiting sessions at most (a first page of 30 and five of 100).
      for (let page = 0; page < 6; page++) {
        if (page > 0 || !first) await this.firstPainted;
        const answer = await (page === 0 && first ? first : this.api.notifications(cursor));
        for (const item of answer.notifications) notices.set(item.session_id, { session_id: item.session_id, store_id: item.store_id, last: item.last_message, unread: item.unread });
        cursor = answer.next_cursor ?? undefined;
        if (!cursor) break;
      }
      this.notices.value = notices;
      return true;
    } catch (error) {
      this.notice.value = `Could not load notifications: ${errorText(error)}`;
      return false;
    }
  }

  private setNotice(sessionId: number, edit: (old: Notice | undefined) => Notice | undefined): void {
    const notices = new Map(this.notices.value);
    const next = edit(notices.get(sessionId));
    if (next) notices.set(sessionId, next);
    else notices.delete(sessionId);
    this.notices.value = notices;
  }

  private dropNotice(sessionId: number): void {
    if (this.notices.value.has(sessionId)) this.setNotice(sessionId, () => undefined);
  }

  readNotice(sessionId: number): void {
    const notice = this.notices.value.get(sessionId);
    if (notice?.unread) this.setNotice(sessionId, (old) => old && { ...old, unread: false });
    this.patchRow(sessionId, (row) => (row.unread === 0 ? row : { ...row, unread: 0 }));
    if (notice?.unread) this.api.readNotification(sessionId).catch(() => undefined);
  }

  async readAllNotices(): Promise<void> {
    try {
      await this.api.readAllNotifications();
      const notices = new Map<number, Notice>();
      for (const [id, notice] of this.notices.value) notices.set(id, { ...notice, unread: false });
      this.notices.value = notices;
    } catch (error) {
      this.notice.value = errorText(error);
    }
  }

  // ---------------------------------------------------------------- conversations

  conversation(sessionId: number): Conversation {
    let conversation = this.conversations.get(sessionId);
    if (!conversation) {
      conversation = new Conversation(sessionId);
      this.conversations.set(sessionId, conversation);
    }
    return conversation;
  }

  loadedConversations(): Conversation[] {
    return [...this.conversations.values()].filter((conversation) => conversation.loaded.value);
  }

  /** Stable, so inbox rows can skip re-rendering. */
  readonly openSession = (sessionId: number): void => this.open(sessionId);

  open(sessionId: number): void {
    this.selected.value = sessionId;
    const conversation = this.conversation(sessionId);
    if (!conversation.loaded.value && !conversation.fetching) void this.fetchAfter(conversation);
  }

  /**
   * Messages arriving: from a page (`complete`: everything up to its newest is now held) or one by one (a
   * push, a send's result), where the gap rule applies: an id more than one past the last id held fetches
   * `after=<last id>` (README "Coming online and reconnecting", step 3).
   */
  arrive(conversation: Conversation, messages: readonly Message[], complete = false): void {
    if (messages.length === 0) return;
    batch(() => {
      conversation.messages.value = mergeById(conversation.messages.value, messages);
      const sent = new Set(messages.map((message) => message.client_message_id).filter((id) => id !== ''));
      if (sent.size > 0 && conversation.pending.value.some((pending) => sent.has(pending.id))) {
        conversation.pending.value = conversation.pending.value.filter((pending) => !sent.has(pending.id));
      }
    });
    if (!conversation.loaded.value) return;
    let lastId = conversation.lastId;
    if (complete) lastId = Math.max(lastId, ...messages.map((message) => message.id));
    // Anything held past the last id (pushes that crossed a page) counts as arriving now.
    const beyond = conversation.messages.value.filter((message) => message.id > lastId).map((message) => message.id);
    const { lastId: advanced, gap } = takeArrivals(lastId, beyond);
    conversation.lastId = advanced;
    if (gap) void this.fetchAfter(conversation);
  }

  /** The first page (the newest 50), or everything after the last id held; one at a time per session. */
  fetchAfter(conversation: Conversation): Promise<void> {
    if (conversation.fetching) {
      conversation.again = true;
      return conversation.fetching;
    }
    const run = async (): Promise<void> => {
      do {
        conversation.again = false;
        if (!conversation.loaded.value || conversation.lastId === 0) {
          const page = await this.api.messages(conversation.sessionId, { limit: 50 });
          const newest = page.messages.at(-1);
          this.upsertSession(page.session, undefined, newest ? lastMessageOf(newest) : undefined);
          batch(() => {
            conversation.hasOlder.value = page.has_more;
            conversation.lastId = newest?.id ?? 0;
            conversation.loaded.value = true;
            conversation.error.value = '';
          });
          this.arrive(conversation, page.messages, true);
          continue;
        }
        let more = true;
        while (more) {
          const page = await this.api.messages(conversation.sessionId, { after: conversation.lastId, limit: 100 });
          const newest = page.messages.at(-1);
          this.upsertSession(page.session, undefined, newest ? lastMessageOf(newest) : undefined);
          this.arrive(conversation, page.messages, true);
          more = page.has_more && page.messages.length > 0;
        }
        conversation.error.value = '';
      } while (conversation.again && !this.stopped);
    };
    conversation.fetching = run()
      .catch((error: unknown) => {
        conversation.error.value = `Could not load messages: ${errorText(error)}`;
      })
      .finally(() => {
        conversation.fetching = null;
      });
    return conversation.fetching;
  }

  async loadOlder(conversation: Conversation): Promise<void> {
    const first = conversation.messages.value[0];
    if (!first || !conversation.hasOlder.value || conversation.loadingOlder.value) return;
    conversation.loadingOlder.value = true;
    try {
      const page = await this.api.messages(conversation.sessionId, { before: first.id, limit: 50 });
      batch(() => {
        conversation.messages.value = mergeById(conversation.messages.value, page.messages);
        conversation.hasOlder.value = page.has_more;
      });
    } catch (error) {
      conversation.error.value = `Could not load older messages: ${errorText(error)}`;
    } finally {
      conversation.loadingOlder.value = false;
    }
  }

  /** Read receipts: the newest store message, when the agent is looking at it in a visible tab. */
  markRead(conversation: Conversation): void {
    if (!this.visible.value || this.selected.value !== conversation.sessionId) return;
    const row = this.rows.value.get(conversation.sessionId);
    if (row && row.session.admin_id !== null && row.session.admin_id !== this.me.id) return;
    let newest: Message | undefined;
    for (const message of conversation.messages.value) if (message.sender_type === 'store') newest = message;
    this.readNotice(conversation.sessionId);
    if (!newest || newest.id <= conversation.readSent) return;
    const upTo = newest.id;
    const previous = conversation.readSent;
    conversation.readSent = upTo;
    if (newest.status === 'read') return;
    this.socket
      .request('read', { session_id: conversation.sessionId, up_to_id: upTo })
      .then(() => this.markStatus(conversation.sessionId, 'admin', upTo))
      .catch(() => {
        conversation.readSent = previous;
      });
  }

  private markStatus(sessionId: number, readerType: string, upTo: number): void {
    const conversation = this.conversations.get(sessionId);
    if (!conversation) return;
    const readSide = readerType === 'store' ? 'admin' : 'store';
    const messages = conversation.messages.value;
    if (!messages.some((message) => message.sender_type === readSide && message.id <= upTo && message.status !== 'read')) return;
    conversation.messages.value = messages.map((message) =>
      message.sender_type === readSide && message.id <= upTo && message.status !== 'read' ? { ...message, status: 'read' } : message,
    );
  }

  // ---------------------------------------------------------------- events

  private handleEvent(frame: Frame): void {
    switch (frame.type) {
      case 'message.created':
        return this.onMessage(frame);
      case 'session.claimed':
      case 'session.released':
      case 'session.transferred':
      case 'session.closed': {
        const session = asSession(frame.session);
        if (!session) return;
        this.upsertSession(session);
        // The claim, release, transfer or close is a system message: fetch it into an open conversation.
        const conversation = this.conversations.get(session.id);
        if (conversation?.loaded.value) void this.fetchAfter(conversation);
        if (frame.type === 'session.transferred' && session.admin_id === this.me.id) {
          void this.loadNotifications();
          const row = this.rows.value.get(session.id);
          this.alerts.notify(`${row?.store.name ?? 'A store'}: transferred to you`, previewText(row?.last, 'you'), () => this.openFromAlert(session.id));
        }
        return;
      }
      case 'store.blocked':
      case 'store.unblocked': {
        const store = asStore(frame.store);
        if (!store) return;
        this.stores.set(store.id, store);
        this.editRows((rows) => {
          for (const [id, row] of rows) if (row.store.id === store.id) rows.set(id, { ...row, store });
        });
        return;
      }
      case 'message.hidden':
      case 'message.unhidden': {
        const message = asMessage(frame.message);
        const conversation = message && this.conversations.get(message.session_id);
        if (message && conversation && conversation.messages.value.some((held) => held.id === message.id)) {
          conversation.messages.value = mergeById(conversation.messages.value, [message]);
        }
        return;
      }
      case 'messages.read': {
        const sessionId = num(frame.session_id);
        const upTo = num(frame.up_to_id);
        if (sessionId === null || upTo === null || typeof frame.reader_type !== 'string') return;
        this.markStatus(sessionId, frame.reader_type, upTo);
        return;
      }
      case 'typing':
        return this.onTyping(frame);
      default:
        return;
    }
  }

  private onMessage(frame: Frame): void {
    const session = asSession(frame.session);
    const message = asMessage(frame.message);
    if (!session || !message) return;
    // A store's message names its store (README "The message object"): a session never listed shows its name at
    // once. The store just sent, so it is not blocked (a blocked store's sends are refused).
    const named =
      message.sender_type === 'store' && typeof message.sender_name === 'string' && message.sender_name !== '' && !this.stores.has(session.store_id)
        ? { id: session.store_id, name: message.sender_name, blocked: false }
        : undefined;
    const known = this.upsertSession(session, named, lastMessageOf(message));
    const conversation = this.conversations.get(session.id);
    if (conversation) this.arrive(conversation, [message]);
    if (message.sender_type !== 'store') return;
    this.setTyping(session.id, (typing) => ({ ...typing, store: false }));
    const looking = this.selected.value === session.id && this.visible.value && document.hasFocus();
    if (!looking) this.patchRow(session.id, (row) => ({ ...row, unread: row.unread + 1 }));
    const mine = session.admin_id === this.me.id;
    if (session.status === 'open' && (session.admin_id === null || mine)) {
      this.setNotice(session.id, (old) => ({
        session_id: session.id,
        store_id: session.store_id,
        last: lastMessageOf(message),
        unread: old?.unread === true || !looking,
      }));
    }
    if (looking) return;
    const store = this.rows.value.get(session.id)?.store.name ?? `Store ${session.store_id}`;
    if (mine) this.alerts.notify(`${store}`, previewText(lastMessageOf(message)), () => this.openFromAlert(session.id));
    else if (session.admin_id === null && !known) this.alerts.notify(`New chat: ${store}`, previewText(lastMessageOf(message)), () => this.openFromAlert(session.id));
  }

  private openFromAlert(sessionId: number): void {
    const row = this.rows.value.get(sessionId);
    if (row && !inTab(row, this.tab.value, this.me.id)) this.selectTab(row.session.admin_id === this.me.id ? 'mine' : 'unclaimed');
    this.open(sessionId);
  }

  private setTyping(sessionId: number, edit: (typing: Typing) => Typing): void {
    const old = this.typing.value.get(sessionId) ?? { store: false, admin: null };
    const next = edit(old);
    if (next.store === old.store && next.admin === old.admin) return;
    const typing = new Map(this.typing.value);
    typing.set(sessionId, next);
    this.typing.value = typing;
  }

  private onTyping(frame: Frame): void {
    const sessionId = num(frame.session_id);
    if (sessionId === null) return;
    const isTyping = frame.is_typing !== false;
    const storeId = num(frame.store_id);
    const adminId = num(frame.admin_id);
    this.setTyping(sessionId, (typing) => (storeId !== null ? { ...typing, store: isTyping } : { ...typing, admin: isTyping ? adminId : null }));
    clearTimeout(this.typingTimers.get(sessionId));
    // A "stopped typing" frame can be lost with a dropped socket: forget typing after a quiet while.
    if (isTyping) this.typingTimers.set(sessionId, setTimeout(() => this.setTyping(sessionId, () => ({ store: false, admin: null })), 8000));
  }

  // ---------------------------------------------------------------- actions

  /** An action whose result carries the session (claim, release, transfer, close). */
  async sessionAction(action: 'claim' | 'release' | 'transfer' | 'close', sessionId: number, extra: Record<string, unknown> = {}): Promise<boolean> {
    try {
      const frame = await this.socket.request(action, { session_id: sessionId, ...extra });
      const session = asSession(frame.session);
      if (session) this.upsertSession(session);
      const conversation = this.conversations.get(sessionId);
      if (conversation?.loaded.value) void this.fetchAfter(conversation);
      this.notice.value = '';
      return true;
    } catch (error) {
      this.notice.value = `${action[0]?.toUpperCase()}${action.slice(1)} failed: ${errorText(error)}`;
      // Whoever won the race, the session's state is worth reading again.
      if (error instanceof ActionError && error.status === 409) void this.refreshSession(sessionId);
      return false;
    }
  }

  async storeAction(action: 'block' | 'unblock', storeId: number): Promise<void> {
    try {
      const frame = await this.socket.request(action, { store_id: storeId });
      const store = asStore(frame.store);
      if (store) this.handleEvent({ type: `store.${action}ed`, store });
      this.notice.value = '';
    } catch (error) {
      this.notice.value = `${action === 'block' ? 'Block' : 'Unblock'} failed: ${errorText(error)}`;
    }
  }

  async moderate(action: 'hide' | 'unhide', message: Message): Promise<void> {
    try {
      const frame = await this.socket.request(action, { message_id: message.id });
      const updated = asMessage(frame.message);
      const conversation = this.conversations.get(message.session_id);
      if (updated && conversation) conversation.messages.value = mergeById(conversation.messages.value, [updated]);
      this.notice.value = '';
    } catch (error) {
      this.notice.value = `${action === 'hide' ? 'Hide' : 'Unhide'} failed: ${errorText(error)}`;
    }
  }

  sendTyping(sessionId: number, isTyping: boolean): void {
    this.socket.request('typing', { session_id: sessionId, is_typing: isTyping }).catch(() => undefined);
  }

  send(sessionId: number, body: SendBody): void {
    const conversation = this.conversation(sessionId);
    const pending: PendingSend = { id: crypto.randomUUID(), body, state: 'sending', error: '' };
    conversation.pending.value = [...conversation.pending.value, pending];
    void this.deliver(conversation, pending.id);
  }

  retry(sessionId: number, id: string): void {
    const conversation = this.conversation(sessionId);
    this.editPending(conversation, id, (pending) => ({ ...pending, state: 'sending', error: '' }));
    void this.deliver(conversation, id);
  }

  discard(sessionId: number, id: string): void {
    const conversation = this.conversation(sessionId);
    conversation.pending.value = conversation.pending.value.filter((pending) => pending.id !== id);
  }

  private editPending(conversation: Conversation, id: string, edit: (pending: PendingSend) => PendingSend): void {
    conversation.pending.value = conversation.pending.value.map((pending) => (pending.id === id ? edit(pending) : pending));
  }

  /**
   * Sends with the same client_message_id until an answer: a timeout, a dropped socket or a 5xx retries, and a
   * retry of a send that already landed answers with the original message (README "Idempotent sends").
   */
  private async deliver(conversation: Conversation, id: string): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const pending = conversation.pending.value.find((item) => item.id === id);
      if (!pending) return;
      try {
        await this.socket.whenOpen();
        const frame = await this.socket.request('send', { session_id: conversation.sessionId, ...pending.body, client_message_id: id }, 15_000);
        const session = asSession(frame.session);
        const message = asMessage(frame.message);
        if (session) this.upsertSession(session, undefined, message ? lastMessageOf(message) : undefined);
        if (message) this.arrive(conversation, [message]);
        this.discard(conversation.sessionId, id);
        return;
      } catch (error) {
        const retryable = error instanceof NoAnswerError || (error instanceof ActionError && error.status >= 500);
        if (!retryable || attempt >= 8 || this.stopped) {
          this.editPending(conversation, id, (item) => ({ ...item, state: 'failed', error: errorText(error) }));
          return;
        }
        await sleep(backoffDelay(attempt, Math.random, 500, 8000));
      }
    }
  }

  // ---------------------------------------------------------------- uploads

  /** A presigned POST (README "Upload Attachment"), with XMLHttpRequest for its progress events. */
  async upload(file: File, onProgress: (loaded: number, total: number) => void): Promise<{ url: string; type: string }> {
    const type = file.type || 'application/octet-stream';
    const ticket = await this.api.attachment({ file_name: file.name, content_type: type, size: file.size });
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
    form.append('file', file);
    await new Promise<void>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', ticket.upload.url);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error(`Upload refused (${xhr.status}${/<Code>([^<]+)<\/Code>/.exec(xhr.responseText)?.[1] ? `: ${/<Code>([^<]+)<\/Code>/.exec(xhr.responseText)?.[1]}` : ''})`));
      };
      xhr.onerror = () => reject(new Error('Upload failed: the storage could not be reached'));
      xhr.send(form);
    });
    return { url: ticket.attachment_url, type };
  }

  // ---------------------------------------------------------------- start-up

  /**
   * At start, with the pages already asked for (`head`), and on every reconnect (README "Coming online and
   * reconnecting", step 1's inbox part). Resolves false if any part failed.
   */
  async refreshInbox(head?: Head): Promise<boolean> {
    const tab = this.tab.value;
    const first = (which: Tab) => (head?.tab === which ? head.sessions : undefined);
    const done = await Promise.all([
      this.loadNotifications(head?.notifications),
      this.refreshTab('unclaimed', first('unclaimed')),
      this.refreshTab('mine', first('mine')),
      ...(tab === 'open' || tab === 'closed' ? [this.refreshTab(tab, first(tab))] : []),
    ]);
    return done.every(Boolean);
  }
}
