/**
 * The response bodies and WebSocket payloads as zod schemas, for the generated contracts
 * (docs/openapi.json, docs/asyncapi.json; README "Contracts"). Handlers never parse with them:
 * they are the README's API reference in a form z.toJSONSchema can write. Each schema carries
 * its component name (`id`) in zod's global registry, so the writers emit it once and `$ref` it.
 *
 * The TypeScript view types (views.ts and the modules that build each body) are checked against
 * these schemas at the bottom of the file, both ways, so neither can drift from the other.
 */
import * as z from '../validation';
import type { PresignedUpload } from '../attachments/store';
import type { UploadTicket } from '../attachments/upload';
import { adminDirectoryMax } from '../entities/admin-directory';
import { productInput, productLanguages, type ProductSnapshot } from '../entities/product';
import { idField, maxInteger } from '../http/integers';
import type { AdminPresenceView, AdminsList, AdminView } from './admins';
import type { StoreView } from './blocking';
import type { ProductsPage } from './catalog';
import type { HistoryPage, ListedMessage } from './history';
import type { InboxSession, LastMessage } from './inbox-view';
import type { ReadResult } from './mark-read';
import type { NotificationsPage, NotificationView } from './notifications';
import type { ServerEvent } from '../realtime/events';
import type { MessageView, SessionView } from './views';

type Meta = z.core.GlobalMeta;

/** Names a schema for the contracts and returns it. Metadata only: parsing is unchanged. */
function named<T extends z.ZodMiniType>(id: string, schema: T, meta: Omit<Meta, 'id'> = {}): T {
  z.globalRegistry.add(schema, { id, ...meta });
  return schema;
}

function described<T extends z.ZodMiniType>(schema: T, meta: Meta): T {
  z.globalRegistry.add(schema, meta);
  return schema;
}

/** README "Send Message (Store)": "Times are ISO-8601 UTC with milliseconds". */
const time = () => described(z.string(), { format: 'date-time', examples: ['2025-12-16T10:30:00.000Z'] });
const id = idField;
const count = () => described(z.number(), { type: 'integer', minimum: 0, maximum: maxInteger });

export const sessionSchema = named(
  'Session',
  z.strictObject({
    id,
    store_id: id,
    admin_id: z.nullable(id),
    status: z.enum(['open', 'closed']),
    last_message_at: time(),
    created: time(),
    updated: time(),
  }),
  { description: 'README "Send Message (Store)": the session object. `admin_id` is null until an admin claims the session.' },
);

/** A product card's snapshot: the import fields (entities/product.ts) as stored, with the product id. */
export const productSchema = named(
  'Product',
  z.strictObject({
    ...productInput.shape,
    id,
    images: z.array(z.strictObject({ lang: z.enum(productLanguages), content: z.string() })),
  }),
  { description: 'README "The message object": the product as it was when posted.' },
);

const messageTypes = ['text', 'image', 'video', 'file', 'product', 'rating', 'claimed', 'released', 'transferred', 'closed', 'missed', 'unavailable'] as const;

const messageShape = {
  id,
  session_id: id,
  sender_type: z.enum(['store', 'admin', 'system']),
  sender_id: z.nullable(id),
  content: z.string(),
  attachment_url: z.string(),
  attachment_type: z.string(),
  status: z.enum(['sent', 'delivered', 'read']),
  created: time(),
  updated: time(),
  type: z.enum(messageTypes),
  product: z.nullable(productSchema),
  rating: z.nullable(described(z.number(), { type: 'integer', minimum: 1, maximum: 5 })),
  special_type: z.enum(['', 'open_url', 'quick_replies']),
  special_param: z.union([z.string(), z.array(z.string()), z.null()]),
  client_message_id: z.string(),
  read_at: z.nullable(time()),
  moderation: z.enum(['visible', 'hidden', 'removed']),
};

export const messageSchema = named('Message', z.strictObject(messageShape), {
  description: 'README "The message object": seed 000\'s fields, then seeds 001 and 002\'s. Absent strings are "", absent objects null.',
});

export const listedMessageSchema = named(
  'ListedMessage',
  z.strictObject({ ...messageShape, sender_name: z.string(), sender_online: z.boolean() }),
  { description: 'A message in a history list: the message object with the sender\'s name and online flag (seed 001\'s author.online).' },
);

export const storeSchema = named('Store', z.strictObject({ id, name: z.string(), blocked: z.boolean() }));

export const lastMessageSchema = named(
  'LastMessage',
  z.strictObject({
    id,
    sender_type: z.enum(['store', 'admin', 'system']),
    type: z.enum(messageTypes),
    preview: described(z.string(), { maxLength: 140 }),
    created: time(),
  }),
  { description: 'README "List Sessions (Admin inbox)": the session\'s newest message, previewed (first 140 characters of its content).' },
);

export const inboxSessionSchema = named('InboxSession', z.strictObject({ session: sessionSchema, store: storeSchema, last_message: lastMessageSchema }));

export const notificationSchema = named(
  'Notification',
  z.strictObject({ id, session_id: id, store_id: id, admin_id: z.nullable(id), last_message: lastMessageSchema, created: time(), unread: z.boolean() }),
);

/** Send Message's 200, a batch's, a rating's, and the admin `send` result's fields. */
export const postedSchema = named('SessionAndMessage', z.strictObject({ session: sessionSchema, message: messageSchema }));
export const postedBatchSchema = named('SessionAndMessages', z.strictObject({ session: sessionSchema, messages: z.array(messageSchema) }));
export const currentSessionSchema = named('CurrentSession', z.strictObject({ session: z.nullable(sessionSchema) }));
export const historyPageSchema = named('MessagesPage', z.strictObject({ session: sessionSchema, messages: z.array(listedMessageSchema), has_more: z.boolean() }));
export const storeHistoryPageSchema = named(
  'StoreMessagesPage',
  z.strictObject({ session: z.nullable(sessionSchema), messages: z.array(listedMessageSchema), has_more: z.boolean() }),
  { description: 'Before the store\'s first message: {"session": null, "messages": [], "has_more": false}.' },
);
export const readResultSchema = named('ReadResult', z.strictObject({ session_id: id, up_to_id: id, advanced: z.boolean() }));
export const inboxPageSchema = named('SessionsPage', z.strictObject({ sessions: z.array(inboxSessionSchema), next_cursor: z.nullable(z.string()) }));
export const notificationsPageSchema = named(
  'NotificationsPage',
  z.strictObject({ notifications: z.array(notificationSchema), unread_count: count(), next_cursor: z.nullable(z.string()) }),
);
export const notificationReadSchema = named('NotificationRead', z.strictObject({ id, unread: z.literal(false) }));
export const notificationsReadSchema = named('NotificationsRead', z.strictObject({ unread_count: z.literal(0) }));

export const adminSchema = named('Admin', z.strictObject({ id, name: z.string() }), { description: 'README "Get Me (Admin)": the admin the token belongs to.' });
export const adminPresenceSchema = named(
  'AdminPresence',
  z.strictObject({ id, name: z.string(), online: z.boolean() }),
  { description: 'README "List Admins (Admin)": an admin, online while it holds at least one live WebSocket connection.' },
);
export const adminsListSchema = named(
  'AdminsList',
  z.strictObject({ admins: described(z.array(adminPresenceSchema), { maxItems: adminDirectoryMax }) }),
  { description: 'Every admin by id, at most 1,000 (README "Limits").' },
);
export const productsPageSchema = named(
  'ProductsPage',
  z.strictObject({ products: z.array(productSchema), next_cursor: z.nullable(z.string()) }),
  { description: 'README "List Store Products (Admin)": the store\'s products in sku order, each as a product message embeds it.' },
);

export const uploadTicketSchema = named(
  'UploadTicket',
  z.strictObject({
    attachment_url: z.string(),
    upload: z.strictObject({ url: z.string(), method: z.literal('POST'), fields: z.record(z.string(), z.string()), expires_at: time() }),
  }),
  { description: 'README "Upload Attachment": POST multipart/form-data to upload.url with every upload.fields entry, then the file as `file`, last.' },
);

/** README "API reference": every error, on every route. `errors` only when there are field details. */
export const errorSchema = named(
  'Error',
  z.strictObject({ error: z.string(), errors: z.optional(z.record(z.string(), z.array(z.string()))) }),
  { description: 'The error envelope of every route: {"error": "<summary>", "errors": {"<field>": ["<detail>"]}}; `errors` is present only when there are field details.' },
);

/** Server events (lib/realtime/events.ts; README "Admin WebSocket" and "Store WebSocket", Events), one schema per `type`. */
const event = <T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S, description: string) =>
  named(`Event_${type}`, z.strictObject({ type: z.literal(type), ...shape }), { description });
const adminIdField = { admin_id: id };
export const eventSchemas = {
  'message.created': event('message.created', { session: sessionSchema, message: messageSchema }, 'A new message: the same objects as the HTTP response.'),
  'session.claimed': event('session.claimed', { session: sessionSchema, ...adminIdField }, 'Admins only: an admin claimed the session.'),
  'session.released': event('session.released', { session: sessionSchema, ...adminIdField }, 'Admins only: the session went back to the queue.'),
  'session.transferred': event('session.transferred', { session: sessionSchema, from_admin_id: id, to_admin_id: id }, 'Admins only: the session moved to another admin.'),
  'session.closed': event('session.closed', { session: sessionSchema, ...adminIdField }, 'Admins only: the session was closed.'),
  'messages.read': event(
    'messages.read',
    { session_id: id, reader_type: z.enum(['admin', 'store']), reader_id: id, up_to_id: id },
    'One side marked the other\'s messages read up to up_to_id (seed 002\'s ReadByCustomer).',
  ),
  typing: named(
    'Event_typing',
    z.union([
      z.strictObject({ type: z.literal('typing'), session_id: id, admin_id: id, is_typing: z.boolean() }),
      z.strictObject({ type: z.literal('typing'), session_id: id, store_id: id, is_typing: z.boolean() }),
    ]),
    { description: 'An admin typing (admin_id; to the session\'s other admins and the store) or the store typing (store_id; to the session\'s admins). Never stored.' },
  ),
  'session.updated': event('session.updated', { session: sessionSchema }, 'Store sockets only: the session was claimed, transferred, released or closed.'),
  'message.updated': event('message.updated', { session_id: id, message: messageSchema }, 'Store sockets only: a message was hidden (moderation "removed", fields emptied) or unhidden.'),
  'store.blocked': event('store.blocked', { store: storeSchema, ...adminIdField }, 'Admins only: an admin blocked a store.'),
  'store.unblocked': event('store.unblocked', { store: storeSchema, ...adminIdField }, 'Admins only: an admin unblocked a store.'),
  'message.hidden': event('message.hidden', { session_id: id, message: messageSchema, ...adminIdField }, 'Admins only: an admin hid a message (moderation "hidden").'),
  'message.unhidden': event('message.unhidden', { session_id: id, message: messageSchema, ...adminIdField }, 'Admins only: an admin unhid a message.'),
} as const;

// Drift checks: each view type and its schema describe the same object, both ways.
/** Deep-flattened, so an intersection (ListedMessage) compares equal to the same object written out. */
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
/** Exact equality: optional, readonly and extra fields count, which mutual assignability would miss. */
type Same<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends (<T>() => T extends Flat<B> ? 1 : 2) ? true : false;
function same<_ extends true>(): void {}
same<Same<z.infer<typeof sessionSchema>, SessionView>>();
same<Same<z.infer<typeof messageSchema>, MessageView>>();
same<Same<z.infer<typeof listedMessageSchema>, ListedMessage>>();
same<Same<z.infer<typeof productSchema>, ProductSnapshot>>();
same<Same<z.infer<typeof storeSchema>, StoreView>>();
same<Same<z.infer<typeof lastMessageSchema>, LastMessage>>();
same<Same<z.infer<typeof inboxSessionSchema>, InboxSession>>();
same<Same<z.infer<typeof notificationSchema>, NotificationView>>();
same<Same<z.infer<typeof notificationsPageSchema>, NotificationsPage>>();
same<Same<z.infer<typeof historyPageSchema>, HistoryPage>>();
same<Same<z.infer<typeof readResultSchema>, ReadResult>>();
same<Same<z.infer<typeof uploadTicketSchema>, UploadTicket>>();
same<Same<z.infer<typeof adminSchema>, AdminView>>();
same<Same<z.infer<typeof adminPresenceSchema>, AdminPresenceView>>();
same<Same<z.infer<typeof adminsListSchema>, AdminsList>>();
same<Same<z.infer<typeof productsPageSchema>, ProductsPage>>();
same<Same<z.infer<typeof uploadTicketSchema>['upload'], PresignedUpload>>();

// Events: the union groups some types ('store.blocked' | 'store.unblocked'), so the check is mutual assignability.
type AnyEvent = z.infer<(typeof eventSchemas)[keyof typeof eventSchemas]>;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
same<Mutual<AnyEvent, ServerEvent>>();
same<Same<keyof typeof eventSchemas, ServerEvent['type']>>();
