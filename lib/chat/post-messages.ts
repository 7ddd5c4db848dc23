import { chatTableRef, type Deps } from '../deps';
import type { Connection } from '../entities/connection';
import { syncInbox } from '../entities/inbox';
import { getEntry, readHead, type Entry, type SessionState } from '../entities/session';
import { AppError, BadRequestError, ConflictError, ServiceUnavailableError, type FieldErrors } from '../errors';
import { presentMessage } from '../attachments/present';
import { checkAttachment, copyAttachment, removeCopies, type CreatedCopy, type PendingCopy } from '../attachments/attach';
import { normalizeType, typesAgree } from '../attachments/sniff';
import { messageCreated } from '../realtime/events';
import { fanOut, sessionAudience } from '../realtime/fanout';
import type { MessageDraft } from './drafts';
import { isSameSender, remembered, type ClientIdentity } from './idempotency';
import { contentType } from '../entities/message-type';
import { countSends, type SendLimit } from './rate-limit';
import type { ProductSnapshot } from '../entities/product';
import { productForStore } from './products';
import {
  after,
  appendToLog,
  refuse,
  skip,
  systemDraft,
  write,
  type Appended,
  type Decide,
  type Decision,
  type Duplicate,
  type Next,
  type Position,
  type Refuse,
  type Reopen,
  type Write,
} from './session-log';
import { needsUnavailableNotice } from './session-rules';
import { positionOf, type SessionTarget, type LocatedSession } from './session-target';
import { sessionView, type MessageView, type SessionView } from './views';

export interface Sender {
  kind: 'store' | 'admin';
  id: number;
}

export interface PostResult {
  session: SessionView;
  messages: MessageView[];
}

interface Settled extends MessageDraft {
  product?: ProductSnapshot;
}

/** A draft's answer: the entry it wrote, or the original a retry names. */
interface Stored {
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
  target: SessionTarget,
  { errorAt, refused = {} }: PostOptions,
): Promise<PostResult> {
  const chat = chatTableRef(deps);
  const hasRefused = Object.keys(refused).length > 0;
  let located: LocatedSession;
  try {
    located = await target.locate();
    const refusal = located.sessionId === undefined ? undefined : target.admits(located.head);
    if (refusal?.kind === 'refuse') throw refusal.error;
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
  const window = (located.head ?? located.previous)?.recent;
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
        draft.product_id === undefined ? Promise.resolve(undefined) : productForStore(deps, draft.product_id, target.storeId(located)),
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
  if (sender.kind === 'store' && settled.size > 0) {
    const counted = countSends(located.head?.session.send_window, settled.size, deps.clock.now(), deps.sendLimit);
    if (!counted.ok) throw counted.error;
  }

  const audiences = new Map<number | null, Promise<Connection[]>>();
  const audienceFor = (adminId: number | null) => {
    let found = audiences.get(adminId);
    if (!found) audiences.set(adminId, (found = sessionAudience(deps, adminId)));
    return found;
  };

  const outcomes: Stored[] = [];
  if (settled.size > 0) located = await target.open(located);
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

  /** The log's decision for one message: the target's rules, then (unless ignored) the window, then the entry. */
  function decideMessage(message: Settled, identity: ClientIdentity | undefined, window: 'check'): Decide<Write | Duplicate | Refuse | Reopen>;
  function decideMessage(message: Settled, identity: ClientIdentity | undefined, window: 'ignore'): Decide<Write | Refuse | Reopen>;
  function decideMessage(message: Settled, identity: ClientIdentity | undefined, window: 'check' | 'ignore'): Decide<Write | Duplicate | Refuse | Reopen> {
    return async (head, next) => {
      const admitted = target.admits(head);
      if (admitted) return admitted;
      const id = identity && window === 'check' ? remembered(next.recent, identity) : undefined;
      if (id !== undefined) return { kind: 'duplicate', id };
      const online = sender.kind === 'store' && (await audienceFor(next.session.admin_id)).length > 0;
      return messageEntry(sender, message, identity, next, online, deps.sendLimit);
    };
  }

  /** Any failure of the log but a refusal is a 503 the client may retry (README "Send Message"). */
  async function appendOrUnavailable<D extends Decision>(position: Position, decide: Decide<D>) {
    try {
      return await appendToLog(deps, position, decide);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new ServiceUnavailableError('Could not store the message, please retry', { cause: error });
    }
  }

  async function appendAll(): Promise<void> {
    const reopen = async (): Promise<Position> => {
      located = await target.open(await target.locate());
      return positionOf(located, target.storeId(located), reopen);
    };
    // Made only when something is written: a request that only retried opens no session.
    let position: Position | undefined;
    for (const [index, draft] of drafts.entries()) {
      const original = known.get(index) ?? outcomes[sameAs.get(index) ?? -1]?.entry;
      if (original) {
        outcomes.push({ entry: original });
        continue;
      }
      const message = settled.get(index)!;
      const identity = draft && identityOf(sender, draft);
      position ??= positionOf(located, target.storeId(located), reopen);
      let outcome = await appendOrUnavailable(position, decideMessage(message, identity, 'check'));
      if (outcome.kind === 'duplicate') {
        let racing: Entry | undefined;
        try {
          racing = await findOriginal(index, identity!, outcome.id);
        } catch (refusal) {
          throw errorAt(index, refusal);
        }
        if (racing) {
          outcomes.push({ entry: racing });
          position = outcome.at;
          continue;
        }
        // A hash collision, not a retry: the window cannot tell, so it is not asked again.
        outcome = await appendOrUnavailable(outcome.at, decideMessage(message, identity, 'ignore'));
      }
      outcomes.push({ entry: outcome.entry, appended: outcome });
      position = after(outcome, position);
    }
  }

  const written = outcomes.filter((outcome): outcome is Required<Stored> => outcome.appended !== undefined);
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
  const latest = written.at(-1)?.entry.session ?? (await sessionNow(deps, located, outcomes.at(-1)!.entry));
  return { session: sessionView(latest), messages: views };
}

/**
 * A request that only retried: its messages are the originals, but the
 * session is answered as it is now (README "Idempotent sends"), so a client
 * learns that it was claimed or closed since. The heads this request already
 * read cover the usual case; an older session costs one read of its head.
 */
async function sessionNow(deps: Deps, located: LocatedSession, original: Entry): Promise<SessionState> {
  const id = original.session.id;
  for (const head of [located.head, located.previous]) if (head?.session.id === id) return head.session;
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
async function moveInbox(deps: Deps, written: Required<Stored>[]): Promise<void> {
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
 * The "unavailable" notice (README "The message object", Types): the first
 * store message that reached no admin gets a system message after it, once
 * per stretch without an answer. Costs nothing while an admin is online.
 */
async function noteUnavailable(deps: Deps, last: Entry | undefined): Promise<void> {
  if (!needsUnavailableNotice(last)) return;
  try {
    const outcome = await appendToLog(deps, { sessionId: last.session.id, head: last }, (current) =>
      needsUnavailableNotice(current) ? write(systemDraft({ sender_id: null, type: 'unavailable' }, { unavailable_noted: true })) : skip,
    );
    if (outcome.kind === 'appended') await syncInbox(chatTableRef(deps), outcome.entry, outcome.previous);
  } catch (error) {
    deps.log.warn('could not post the unavailable notice', { sessionId: last.session.id, error });
  }
}

/**
 * The entry a message adds: its content, and the session change every
 * message makes (timestamps, the send limit's count, the end of an
 * "unavailable" stretch). A store message over the send limit is refused.
 */
function messageEntry(sender: Sender, message: Settled, identity: ClientIdentity | undefined, next: Next, online: boolean, limit: SendLimit): Write | Refuse {
  const { session: base, created } = next;
  const delivery = online ? 'delivered' : 'sent';
  let sends: Partial<SessionState> = {};
  if (sender.kind === 'store') {
    const counted = countSends(base.send_window, 1, Date.parse(created), limit);
    if (!counted.ok) return refuse(counted.error);
    sends = { send_window: counted.window };
  }
  return write({
    sender: { sender_type: sender.kind, sender_id: sender.id },
    body: {
      type: contentType(message),
      content: message.content,
      attachment_url: message.attachment_url,
      attachment_type: message.attachment_type,
      ...(message.product ? { product: message.product } : {}),
      ...(message.special ? { special_type: message.special.type, special_param: message.special.param } : {}),
      delivery,
    },
    change: {
      last_message_at: created,
      ...(sender.kind === 'store' ? { last_store_message_at: created } : { admin_replied: true }),
      // An answer, or an admin online, ends the stretch an "unavailable" notice covered.
      unavailable_noted: sender.kind === 'store' && delivery === 'sent' ? base.unavailable_noted : undefined,
      ...sends,
    },
    identity,
  });
}
