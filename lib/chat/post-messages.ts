import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import type { Connection } from '../entities/connection';
import { syncInbox } from '../entities/inbox';
import { getEntry, messageId, readHead, type Entry, type SessionState } from '../entities/session';
import { AppError, BadRequestError, ConflictError, ServiceUnavailableError, type FieldErrors } from '../errors';
import { newWriteId } from '../ids';
import { presentMessage } from '../attachments/present';
import { checkAttachment, copyAttachment, removeCopies, type CreatedCopy, type PendingCopy } from '../attachments/attach';
import { normalizeType, typesAgree } from '../attachments/sniff';
import { messageCreated } from '../realtime/events';
import { fanOut, sessionAudience } from '../realtime/fanout';
import { appendToSession, type Appended } from './append';
import type { MessageDraft } from './drafts';
import { isSameSender, nextWindow, remembered, type ClientIdentity } from './idempotency';
import { contentType } from './message-type';
import { countSends } from './rate-limit';
import { productForStore, type ProductSnapshot } from './products';
import { systemEntryAfter } from './system-entry';
import { sessionView, type MessageView, type SessionView } from './views';

export interface Sender {
  kind: 'store' | 'admin';
  id: number;
}

/** Where messages go: the store's active session, or the session an admin names. */
export interface SessionPort {
  /** Finds the session without writing anything; a store without an open one gets a target to open. */
  locate(): Promise<Target>;
  /** Makes the target writable: opens the store's new session. Runs only when something will be written. */
  open(target: Target): Promise<Target>;
  /** Throws when the sender may not write on top of this head. */
  check(head: Entry | undefined): void;
  storeId(target: Target): number;
}

export interface Target {
  /** Undefined until a new session is opened. */
  sessionId?: number | undefined;
  head: Entry | undefined;
  /** For a session not yet written: the store's session before it, whose idempotency window carries over. */
  previous?: Entry | undefined;
  /** The store's pointer as read, for the swap that opens a new session. */
  pointer?: number | undefined;
}

export interface PostResult {
  session: SessionView;
  messages: MessageView[];
}

/** The session stopped taking messages (closed or full): the store gets a new one. */
export class SessionUnavailable extends Error {}

class Duplicate extends Error {
  constructor(readonly messageId: number) {
    super('duplicate');
  }
}

interface Settled extends MessageDraft {
  product?: ProductSnapshot;
}

interface Outcome {
  entry: Entry;
  appended?: Appended;
}

const identityOf = (sender: Sender, draft: MessageDraft): ClientIdentity | undefined =>
  draft.client_message_id ? { sender_type: sender.kind, sender_id: sender.id, client_message_id: draft.client_message_id } : undefined;

const sameDrafts = (a: MessageDraft, b: MessageDraft) => JSON.stringify(a) === JSON.stringify(b);

/** Retrying with the same id must mean the same message. */
function sameRequest(deps: Deps, original: Entry, draft: MessageDraft): boolean {
  const sameAttachment = () => {
    if (draft.attachment_url === original.attachment_url) return true;
    const asked = deps.attachments?.keyOf(draft.attachment_url);
    const kept = deps.attachments?.keyOf(original.attachment_url);
    // An upload is stored under attachments/ with the same rest of the key.
    return asked !== undefined && kept !== undefined && asked.split('/').slice(1).join('/') === kept.split('/').slice(1).join('/');
  };
  const declared = draft.attachment_type === '' || typesAgree(normalizeType(draft.attachment_type), original.attachment_type);
  return (
    draft.content === original.content &&
    (draft.product_id ?? null) === (original.product?.id ?? null) &&
    JSON.stringify(draft.special ?? null) === JSON.stringify(original.special_type ? { type: original.special_type, param: original.special_param } : null) &&
    sameAttachment() &&
    declared
  );
}

/** Options of one send request. */
export interface PostOptions {
  /** Re-keys an item's field errors for the answer (a batch prefixes `messages.<index>.`). */
  errorAt: (index: number, error: unknown) => unknown;
  /** A batch's field errors found before the send path (fields, rules across fields), keyed as answered. */
  refused?: FieldErrors;
}

interface ItemError {
  index: number;
  error: AppError;
}

/**
 * One answer for every failing item (README "Send Messages (Store, batch)"):
 * the lowest status any item earned (400 before 404 before 409), with that
 * status's first message, and `errors` naming every failing item and field.
 */
function itemsRefused(found: readonly ItemError[], refused: FieldErrors, errorAt: PostOptions['errorAt']): AppError {
  const errors: FieldErrors = { ...refused };
  let chosen: AppError | undefined = Object.keys(refused).length > 0 ? new BadRequestError('Invalid request body', refused) : undefined;
  for (const { index, error } of [...found].sort((a, b) => a.index - b.index)) {
    const keyed = errorAt(index, error);
    const named = keyed instanceof AppError ? keyed : error;
    for (const [field, messages] of Object.entries(named.errors ?? {})) (errors[field] ??= []).push(...messages);
    if (!chosen || named.status < chosen.status) chosen = named;
  }
  if (!chosen) throw new Error('no item was refused');
  return new AppError(chosen.status, chosen.message, { errors, ...(chosen.headers ? { headers: chosen.headers } : {}) });
}

/** An item's own refusal (a field of it is wrong) is gathered; anything else (a 5xx, a session refusal) ends the request. */
function gather(found: ItemError[], index: number, error: unknown): void {
  if (error instanceof AppError && error.status < 500 && error.errors) found.push({ index, error });
  else throw error;
}

/**
 * Stores messages in order and tells the admins who should see them. Every
 * check of every draft runs first (fields, idempotency, products,
 * attachments, then the send limit) and writes nothing; a batch answers once
 * for all its failing items. Only then are uploads copied to attachments/, the
 * one S3 write, right before the log appends; if the log then refuses with a
 * 4xx (the session changed hands or closed, a racing send took the limit or
 * the id), the copies no stored message names are removed again (README
 * "Send Message": nothing is stored for any 4xx). Drafts whose
 * client_message_id the conversation remembers are answered with the
 * original, and cost no write, no push and no notification.
 */
export async function postMessages(
  deps: Deps,
  sender: Sender,
  drafts: readonly (MessageDraft | undefined)[],
  port: SessionPort,
  { errorAt, refused = {} }: PostOptions,
): Promise<PostResult> {
  const chat = chatTableRef(deps);
  const hasRefused = Object.keys(refused).length > 0;
  let target: Target;
  try {
    target = await port.locate();
    if (target.sessionId !== undefined) port.check(target.head);
  } catch (error) {
    // A body that is invalid answers 400 first, as a single send's does before anything is read.
    if (hasRefused && error instanceof AppError && error.status < 500) throw new BadRequestError('Invalid request body', refused);
    throw error;
  }
  const found: ItemError[] = [];
  const conflict = () => new ConflictError('client_message_id was already used for a different message', { client_message_id: ['Was already used for a different message'] });

  const findOriginal = async (index: number, identity: ClientIdentity, id: number): Promise<Entry | undefined> => {
    const entry = await getEntry(chat, id);
    if (!entry || !isSameSender(entry, identity)) return undefined;
    if (!sameRequest(deps, entry, drafts[index]!)) throw conflict();
    return entry;
  };

  // Retries the conversation already has.
  const known = new Map<number, Entry>();
  const window = (target.head ?? target.previous)?.recent;
  await Promise.all(
    drafts.map(async (draft, index) => {
      if (!draft) return;
      const identity = identityOf(sender, draft);
      const id = identity && remembered(window, identity);
      try {
        const original = identity && id !== undefined ? await findOriginal(index, identity, id) : undefined;
        if (original) known.set(index, original);
      } catch (error) {
        gather(found, index, error);
      }
    }),
  );

  // The same id twice in one request: the same message (answered once) or a conflict, decided before writing.
  const firstWithId = new Map<string, number>();
  const sameAs = new Map<number, number>();
  for (const [index, draft] of drafts.entries()) {
    if (!draft?.client_message_id || known.has(index) || found.some((item) => item.index === index)) continue;
    const first = firstWithId.get(draft.client_message_id);
    if (first === undefined) firstWithId.set(draft.client_message_id, index);
    else if (sameDrafts(drafts[first]!, draft)) sameAs.set(index, first);
    else found.push({ index, error: conflict() });
  }

  // Products and attachments: checked for every item, written nowhere yet.
  const settled = new Map<number, Settled>();
  const copies = new Map<number, PendingCopy>();
  await Promise.all(
    drafts.map(async (draft, index) => {
      if (!draft || known.has(index) || sameAs.has(index) || found.some((item) => item.index === index)) return;
      const [attachment, product] = await Promise.allSettled([
        checkAttachment(deps, sender, draft),
        draft.product_id === undefined ? Promise.resolve(undefined) : productForStore(deps, draft.product_id, port.storeId(target)),
      ]);
      if (attachment.status === 'rejected') gather(found, index, attachment.reason);
      if (product.status === 'rejected') gather(found, index, product.reason);
      if (attachment.status === 'fulfilled' && product.status === 'fulfilled') {
        settled.set(index, { ...attachment.value.fields, ...(product.value ? { product: product.value } : {}) });
        if (attachment.value.copy) copies.set(index, attachment.value.copy);
      }
    }),
  );
  if (found.length > 0 || hasRefused) throw itemsRefused(found, refused, errorAt);

  // A batch over the limit is refused whole, before anything is written.
  if (sender.kind === 'store' && settled.size > 0) countSends(target.head?.session.send_window, settled.size, deps.clock.now(), deps.sendLimit);

  const audiences = new Map<number | null, Promise<Connection[]>>();
  const audienceFor = (adminId: number | null) => {
    let found = audiences.get(adminId);
    if (!found) audiences.set(adminId, (found = sessionAudience(deps, adminId)));
    return found;
  };

  const outcomes: Outcome[] = [];
  if (settled.size > 0) target = await port.open(target);
  const created = await copyAll(deps, [...copies.values()]);
  try {
    await appendAll();
  } catch (error) {
    // A 5xx may hide a write that landed; only a refusal is sure to have stored nothing that names the copies.
    if (error instanceof AppError && error.status < 500) {
      const named = new Set(outcomes.filter((outcome) => outcome.appended).map((outcome) => outcome.entry.attachment_url));
      await removeCopies(deps, created.filter(({ key }) => !named.has(deps.attachments?.canonicalUrl(key) ?? '')));
    }
    throw error;
  }

  async function appendAll(): Promise<void> {
    let head = target.head;
    for (const [index, draft] of drafts.entries()) {
      const original = known.get(index) ?? outcomes[sameAs.get(index) ?? -1]?.entry;
      if (original) {
        outcomes.push({ entry: original });
        continue;
      }
      const sessionId = () => {
        if (target.sessionId === undefined) throw new Error('the target was not opened');
        return target.sessionId;
      };
      const message = settled.get(index)!;
      const identity = draft && identityOf(sender, draft);
      const writeId = newWriteId();
      let ignoreWindow = false;
      for (let round = 0; ; round++) {
        if (round > 5) throw new ServiceUnavailableError('Could not store the message, please retry');
        try {
          const appended = await appendToSession(chat, sessionId(), head, async (current) => {
            port.check(current);
            const carried = current ? current.recent : target.previous?.recent;
            if (identity && !ignoreWindow) {
              const id = remembered(carried, identity);
              if (id !== undefined) throw new Duplicate(id);
            }
            const created = isoTime(Math.max(deps.clock.now(), current ? Date.parse(current.created) : 0));
            const seq = (current?.seq ?? 0) + 1;
            const id = messageId(sessionId(), seq);
            const base: SessionState = current?.session ?? {
              id: sessionId(),
              store_id: port.storeId(target),
              admin_id: null,
              status: 'open',
              created,
              updated: created,
              last_message_at: created,
            };
            const online = sender.kind === 'store' && (await audienceFor(base.admin_id)).length > 0;
            const delivery = online ? 'delivered' : 'sent';
            const session: SessionState = {
              ...base,
              updated: created,
              last_message_at: created,
              ...(sender.kind === 'store' ? { last_store_message_at: created } : { admin_replied: true }),
              // An answer, or an admin online, ends the stretch an "unavailable" notice covered.
              unavailable_noted: sender.kind === 'store' && delivery === 'sent' ? base.unavailable_noted : undefined,
              ...(sender.kind === 'store' ? { send_window: countSends(base.send_window, 1, Date.parse(created), deps.sendLimit) } : {}),
            };
            return {
              seq,
              id,
              session,
              sender_type: sender.kind,
              sender_id: sender.id,
              type: contentType(message),
              content: message.content,
              attachment_url: message.attachment_url,
              attachment_type: message.attachment_type,
              ...(message.product ? { product: message.product } : {}),
              ...(message.special ? { special_type: message.special.type, special_param: message.special.param } : {}),
              ...(identity ? { client_message_id: identity.client_message_id } : {}),
              recent: nextWindow(carried, identity, id),
              delivery,
              created,
              write_id: writeId,
            };
          });
          head = appended.entry;
          outcomes.push({ entry: appended.entry, appended });
          break;
        } catch (error) {
          if (error instanceof Duplicate && identity) {
            let racing: Entry | undefined;
            try {
              racing = await findOriginal(index, identity, error.messageId);
            } catch (refusal) {
              throw errorAt(index, refusal);
            }
            if (racing) {
              outcomes.push({ entry: racing });
              break;
            }
            ignoreWindow = true; // a hash collision, not a retry
            continue;
          }
          if (error instanceof SessionUnavailable) {
            target = await port.open(await port.locate());
            head = target.head;
            continue;
          }
          if (error instanceof AppError) throw error;
          throw new ServiceUnavailableError('Could not store the message, please retry', { cause: error });
        }
      }
    }
  }

  const written = outcomes.filter((outcome): outcome is Required<Outcome> => outcome.appended !== undefined);
  const views = await Promise.all(outcomes.map((outcome) => presentMessage(deps, outcome.entry, { audience: sender.kind })));
  await Promise.all([
    moveInbox(deps, written),
    sender.kind === 'store' ? noteUnavailable(deps, written.at(-1)?.entry) : Promise.resolve(),
    // One event at a time: each reaches every socket before the next starts, so sockets see array order.
    (async () => {
      for (const outcome of written) {
        const view = views[outcomes.indexOf(outcome)]!;
        await fanOut(deps, await audienceFor(outcome.entry.session.admin_id), messageCreated(outcome.entry, view));
      }
    })(),
  ]);
  const latest = written.at(-1)?.entry.session ?? (await sessionNow(deps, target, outcomes.at(-1)!.entry));
  return { session: sessionView(latest), messages: views };
}

/**
 * A request that only retried: its messages are the originals, but the
 * session is answered as it is now (README "Idempotent sends"), so a client
 * learns that it was claimed or closed since. The heads this request already
 * read cover the usual case; an older session costs one read of its head.
 */
async function sessionNow(deps: Deps, target: Target, original: Entry): Promise<SessionState> {
  const id = original.session.id;
  for (const head of [target.head, target.previous]) if (head?.session.id === id) return head.session;
  return (await readHead(chatTableRef(deps), id))?.session ?? original.session;
}

/**
 * Copies every checked upload to attachments/, in parallel. When one copy
 * fails, the others are removed again (no message names them yet) and the
 * request fails as a whole. Resolves to the objects this request created.
 */
async function copyAll(deps: Deps, copies: readonly PendingCopy[]): Promise<CreatedCopy[]> {
  // Two items of one batch may send the same upload: one copy serves both.
  const unique = [...new Map(copies.map((copy) => [copy.to, copy])).values()];
  const results = await Promise.allSettled(unique.map((copy) => copyAttachment(deps, copy)));
  const created = results.flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await removeCopies(deps, created);
    throw failed.reason;
  }
  return created;
}

/** One inbox move per session the request wrote to, from where it was to where it ends. */
async function moveInbox(deps: Deps, written: Required<Outcome>[]): Promise<void> {
  const bySession = new Map<number, { first: Appended; last: Appended }>();
  for (const { appended } of written) {
    const id = appended.entry.session.id;
    const group = bySession.get(id);
    if (group) group.last = appended;
    else bySession.set(id, { first: appended, last: appended });
  }
  await Promise.all(
    [...bySession.values()].map(({ first, last }) =>
      syncInbox(chatTableRef(deps), last.entry, first.previous).catch((error: unknown) => deps.log.warn('inbox update failed', { sessionId: last.entry.session.id, error })),
    ),
  );
}

/**
 * Seed 001's "unavailable": the first store message that reached no admin
 * gets a system message after it, once per stretch without an answer.
 * Costs nothing while an admin is online.
 */
async function noteUnavailable(deps: Deps, last: Entry | undefined): Promise<void> {
  if (!last || last.delivery !== 'sent' || last.session.unavailable_noted) return;
  const chat = chatTableRef(deps);
  const writeId = newWriteId();
  try {
    const appended = await appendToSession(chat, last.session.id, last, (current) => {
      if (!current || current.session.status !== 'open' || current.session.unavailable_noted || current.sender_type !== 'store' || current.delivery !== 'sent') {
        throw new Duplicate(0);
      }
      return systemEntryAfter(current, deps.clock.now(), writeId, { unavailable_noted: true }, { sender_id: null, type: 'unavailable' });
    });
    await syncInbox(chat, appended.entry, appended.previous);
  } catch (error) {
    if (!(error instanceof Duplicate)) deps.log.warn('could not post the unavailable notice', { sessionId: last.session.id, error });
  }
}

