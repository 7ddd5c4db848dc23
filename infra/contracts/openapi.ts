/**
 * docs/openapi.json (OpenAPI 3.1): every HTTP route of the manifest (lib/routes.ts), its request from
 * the handler's own zod schema, its responses from lib/chat/view-schemas.ts, and for each status the
 * README lists, its error bodies as examples. The prose stays in the README ("API reference"); this
 * file is what a client generator reads (README "Contracts").
 */
import type * as z from '../../lib/validation';
import { uploadRequest } from '../../lib/attachments/upload';
import { storeBatchEnvelope, storeMessageFields } from '../../lib/chat/drafts';
import { historyQuery } from '../../lib/chat/history';
import { ratingBody } from '../../lib/chat/rating';
import * as views from '../../lib/chat/view-schemas';
import { queryId } from '../../lib/http/params';
import { httpRoutes, routes, type HttpRouteSpec } from '../../lib/routes';
import { query as inboxQuery } from '../../functions/http/admin-list-sessions';
import { query as notificationsQuery } from '../../functions/http/admin-list-notifications';
import { query as productsQuery } from '../../functions/http/admin-list-products';
import { query as storeHistoryQuery } from '../../functions/http/store-list-messages';
import { body as readBody } from '../../functions/http/store-read-messages';
import { componentSchemas, inputSchema, ref, sortedKeys, type JsonObject } from './json-schema';

const target = { target: 'draft-2020-12' } as const;

/** One documented refusal: README's status, body and "when". */
interface Refusal {
  status: number;
  body: { error: string; errors?: Record<string, string[]> };
  when: string;
  /** 429 and 503 carry Retry-After. */
  retryAfter?: boolean;
}

type HttpRouteName = { [K in keyof typeof routes]: (typeof routes)[K] extends { api: 'http' } ? K : never }[keyof typeof routes];

interface RouteDoc {
  summary: string;
  /** The README section that is the prose contract. */
  readme: string;
  body?: z.core.$ZodType;
  query?: z.core.$ZodType;
  success: z.core.$ZodType;
  requestExample?: unknown;
  successExample?: unknown;
  refusals: Refusal[];
}

const invalid = (summary: string, field: string, detail: string) => ({ error: summary, errors: { [field]: [detail] } });

const auth = (kind: 'store' | 'admin'): Refusal[] => [
  { status: 401, body: { error: 'Unauthorized' }, when: 'no token, an unknown or revoked token, or another scheme than Token' },
  { status: 403, body: { error: `This endpoint requires ${kind === 'admin' ? 'an admin' : 'a store'} token` }, when: "the other principal's token" },
  { status: 403, body: { error: 'Forbidden' }, when: 'the request did not come through CloudFront (README "Origin check")' },
];
const jsonBody: Refusal[] = [
  { status: 400, body: { error: 'Malformed JSON body' }, when: 'the body is not JSON' },
  { status: 400, body: { error: 'Request body must be a JSON object' }, when: 'the body is JSON but not an object' },
  { status: 413, body: { error: 'Request body is too large' }, when: 'a body over 64 KB' },
];
const blocked: Refusal = { status: 403, body: { error: 'This store is blocked from chat' }, when: 'an admin blocked the store; nothing is stored' };
const sessionNotFound: Refusal = { status: 404, body: { error: 'Session not found' }, when: "a session that is not the store's (or does not exist)" };
const busy: Refusal = { status: 503, body: { error: 'The session is busy, please retry' }, when: "the message lost the race for the session's next entry 60 times in a row", retryAfter: true };
const storageDown: Refusal = { status: 503, body: { error: 'Attachment storage is unavailable, please retry' }, when: 'S3 could not be reached', retryAfter: true };
const sessionFull: Refusal = { status: 409, body: { error: 'Session is full' }, when: 'the session already holds 999,999 entries (README "Limits")' };
const internal: Refusal = { status: 500, body: { error: 'Internal server error' }, when: 'an unexpected failure; the body never carries a stack trace' };

/** README "Send Message (Store)", Error responses: seed 000's error strings, byte for byte. */
const sendRefusals: Refusal[] = [
  { status: 400, body: { error: 'Message content or attachment is required' }, when: 'no content (or only white space) and no attachment' },
  { status: 400, body: invalid('Invalid request body', 'content', 'Must be a string'), when: 'a field has the wrong type, breaks a limit or a rule; every offending field is listed' },
  { status: 400, body: invalid('Invalid request body', 'attachment_url', 'Must not contain a user name or password'), when: 'a link that breaks the link rule (README "Links")' },
  { status: 400, body: invalid('Invalid request body', 'attachment_url', 'Is not one of your uploads'), when: "another principal's upload, or a key this API never issued" },
  { status: 400, body: invalid('Invalid request body', 'attachment_url', 'Upload the file before sending it'), when: 'the upload never happened (or S3 refused it)' },
  { status: 400, body: invalid('Invalid request body', 'attachment_type', 'Does not match the file, which is image/png'), when: 'the declared type contradicts the bytes' },
  { status: 400, body: invalid('Invalid request body', 'attachment_url', 'The file type text/html is not allowed'), when: 'the bytes are of a type outside the allowlist' },
  ...jsonBody,
  blocked,
  { status: 404, body: invalid('Product not found', 'product_id', 'Product not found'), when: "no such product, or another store's" },
  { status: 409, body: invalid('client_message_id was already used for a different message', 'client_message_id', '…'), when: 'the id was used before for different content' },
  { status: 429, body: { error: 'Too many messages: at most 30 every 60 seconds' }, when: "the store's send limit; nothing is stored", retryAfter: true },
  { status: 500, body: { error: 'Could not prepare chat session' }, when: "finding or opening the store's session failed" },
  { status: 503, body: { error: 'Could not store the message, please retry' }, when: 'storing the message failed; retry', retryAfter: true },
  busy,
  storageDown,
];

const sendExample = {
  session: { id: 1, store_id: 5, admin_id: null, status: 'open', last_message_at: '2025-12-16T10:30:00.000Z', created: '2025-12-16T10:00:00.000Z', updated: '2025-12-16T10:30:00.000Z' },
  message: {
    id: 1000123,
    session_id: 1,
    sender_type: 'store',
    sender_id: 5,
    content: 'Hello, I need help with my account',
    attachment_url: '',
    attachment_type: '',
    status: 'sent',
    created: '2025-12-16T10:30:00.000Z',
    updated: '2025-12-16T10:30:00.000Z',
    type: 'text',
    product: null,
    rating: null,
    special_type: '',
    special_param: null,
    client_message_id: '',
    read_at: null,
    moderation: 'visible',
  },
};

/** A batch's items are checked one by one (lib/chat/drafts.ts), so the envelope's schema says only "a list"; each item is a single send's body. */
function batchBody(): JsonObject {
  const envelope = inputSchema(storeBatchEnvelope, target);
  const messages = (envelope.properties as JsonObject).messages as JsonObject;
  messages.items = inputSchema(storeMessageFields, target);
  return envelope;
}

const docs: Record<HttpRouteName, RouteDoc> = {
  storeSendMessage: {
    summary: 'Send Message (Store)',
    readme: 'send-message-store',
    body: storeMessageFields,
    success: views.postedSchema,
    requestExample: { content: 'Hello, I need help with my account', attachment_url: 'https://example.com/file.jpg', attachment_type: 'image/jpeg' },
    successExample: sendExample,
    refusals: [...sendRefusals, ...auth('store')],
  },
  storeSendMessages: {
    summary: 'Send Messages (Store, batch)',
    readme: 'send-messages-store-batch',
    body: storeBatchEnvelope,
    success: views.postedBatchSchema,
    requestExample: { messages: [{ content: 'Hello?', client_message_id: 'ios-42:1' }, { content: 'Still there?', client_message_id: 'ios-42:2' }] },
    refusals: [
      {
        status: 400,
        body: { error: 'Invalid request body', errors: { 'messages.0.content': ['Must be a string'], 'messages.1.content': ['Message content or attachment is required'] } },
        when: 'any item has a 400 error; errors also lists the other items\' 404 and 409 errors',
      },
      { status: 400, body: invalid('Invalid request body', 'messages', 'Must contain at most 20 messages'), when: 'the list is empty, not a list, or has more than 20 items' },
      ...jsonBody,
      blocked,
      { status: 404, body: invalid('Product not found', 'messages.4.product_id', 'Product not found'), when: 'no item has a 400 error, and one names a missing product' },
      { status: 409, body: invalid('client_message_id was already used for a different message', 'messages.0.client_message_id', '…'), when: 'the only failures are reused ids' },
      { status: 429, body: { error: 'Too many messages: at most 30 every 60 seconds' }, when: 'a valid batch that would cross the send limit, counted item by item', retryAfter: true },
      { status: 503, body: { error: 'Could not store the message, please retry' }, when: 'storing the messages failed; retry', retryAfter: true },
      busy,
      storageDown,
      ...auth('store'),
    ],
  },
  storeRateSession: {
    summary: 'Rate Session (Store)',
    readme: 'rate-session-store',
    body: ratingBody,
    success: views.postedSchema,
    requestExample: { session_id: 7, rating: 5, comment: 'Quick and kind' },
    refusals: [
      { status: 400, body: invalid('Invalid request body', 'rating', 'Must be an integer from 1 to 5'), when: 'a bad rating (or another field error)' },
      ...jsonBody,
      blocked,
      sessionNotFound,
      { status: 409, body: { error: 'Only a closed session can be rated' }, when: 'the session is still open' },
      { status: 409, body: { error: 'Session already rated' }, when: 'a second rating (also when two ratings race: exactly one wins)' },
      sessionFull,
      busy,
      ...auth('store'),
    ],
  },
  storeCreateAttachment: {
    summary: 'Upload Attachment (Store)',
    readme: 'upload-attachment-store-and-admin',
    body: uploadRequest,
    success: views.uploadTicketSchema,
    requestExample: { file_name: 'broken order page.png', content_type: 'image/png', size: 48213 },
    refusals: uploadRefusals('store'),
  },
  adminCreateAttachment: {
    summary: 'Upload Attachment (Admin)',
    readme: 'upload-attachment-store-and-admin',
    body: uploadRequest,
    success: views.uploadTicketSchema,
    requestExample: { file_name: 'broken order page.png', content_type: 'image/png', size: 48213 },
    refusals: uploadRefusals('admin'),
  },
  storeGetSession: {
    summary: 'Get Current Session (Store)',
    readme: 'get-current-session-store',
    success: views.currentSessionSchema,
    successExample: { session: null },
    refusals: auth('store'),
  },
  storeListMessages: {
    summary: 'List Messages (Store)',
    readme: 'list-messages-store',
    query: storeHistoryQuery,
    success: views.storeHistoryPageSchema,
    successExample: { session: null, messages: [], has_more: false },
    refusals: [
      { status: 400, body: invalid('Invalid query string', 'before', 'Use after or before, not both'), when: 'both cursors, a malformed id, a limit out of range, or a cursor from another session' },
      sessionNotFound,
      ...auth('store'),
    ],
  },
  storeReadMessages: {
    summary: 'Mark Messages Read (Store)',
    readme: 'mark-messages-read-store',
    body: readBody,
    success: views.readResultSchema,
    requestExample: { up_to_id: 1000003 },
    successExample: { session_id: 1, up_to_id: 1000003, advanced: true },
    refusals: [
      { status: 400, body: invalid('Invalid request body', 'up_to_id', 'Is not a message of this session'), when: 'up_to_id is not a message of the store\'s session, or not an id' },
      ...jsonBody,
      { status: 404, body: { error: 'Message not found' }, when: "another store's message" },
      ...auth('store'),
    ],
  },
  adminListSessions: {
    summary: 'List Sessions (Admin inbox)',
    readme: 'list-sessions-admin-inbox',
    query: inboxQuery,
    success: views.inboxPageSchema,
    refusals: [
      { status: 400, body: invalid('Invalid query string', 'state', 'Must be unclaimed, mine, open or closed'), when: 'an unknown state, a bad limit or a cursor this endpoint did not issue' },
      ...auth('admin'),
    ],
  },
  adminListMessages: {
    summary: 'List Session Messages (Admin)',
    readme: 'list-session-messages-admin',
    query: historyQuery,
    success: views.historyPageSchema,
    refusals: [
      { status: 400, body: invalid('Invalid path', 'session_id', 'Must be an integer'), when: 'a session_id that is not a positive integer' },
      { status: 400, body: invalid('Invalid query string', 'before', 'Use after or before, not both'), when: 'both cursors, a malformed id or a limit out of range' },
      { status: 404, body: { error: 'Session not found' }, when: 'no such session' },
      ...auth('admin'),
    ],
  },
  adminListNotifications: {
    summary: 'List Notifications (Admin)',
    readme: 'list-notifications-admin',
    query: notificationsQuery,
    success: views.notificationsPageSchema,
    refusals: [{ status: 400, body: invalid('Invalid query string', 'limit', 'Must be an integer from 1 to 100'), when: 'a bad limit or cursor' }, ...auth('admin')],
  },
  adminReadNotification: {
    summary: 'Mark Notification Read (Admin)',
    readme: 'mark-notification-read--mark-all-notifications-read-admin',
    success: views.notificationReadSchema,
    successExample: { id: 7, unread: false },
    refusals: [
      { status: 400, body: invalid('Invalid path', 'session_id', 'Must be an integer'), when: 'a session_id that is not a positive integer' },
      { status: 404, body: { error: 'Notification not found' }, when: 'a session you should not hear about (claimed by another admin, closed, or unknown)' },
      ...auth('admin'),
    ],
  },
  adminReadAllNotifications: {
    summary: 'Mark All Notifications Read (Admin)',
    readme: 'mark-notification-read--mark-all-notifications-read-admin',
    success: views.notificationsReadSchema,
    successExample: { unread_count: 0 },
    refusals: auth('admin'),
  },
  adminGetMe: {
    summary: 'Get Me (Admin)',
    readme: 'get-me-admin',
    success: views.adminSchema,
    successExample: { id: 1, name: 'Ann' },
    refusals: auth('admin'),
  },
  adminListAdmins: {
    summary: 'List Admins (Admin)',
    readme: 'list-admins-admin',
    success: views.adminsListSchema,
    successExample: { admins: [{ id: 1, name: 'Ann', online: true }, { id: 2, name: 'Bob', online: false }] },
    refusals: auth('admin'),
  },
  adminListProducts: {
    summary: 'List Store Products (Admin)',
    readme: 'list-store-products-admin',
    query: productsQuery,
    success: views.productsPageSchema,
    refusals: [
      { status: 400, body: invalid('Invalid path', 'store_id', 'Must be an integer'), when: 'a store_id that is not a positive integer' },
      { status: 400, body: invalid('Invalid query string', 'limit', 'Must be an integer from 1 to 100'), when: 'a bad limit or a cursor this endpoint did not issue' },
      { status: 404, body: { error: 'Store not found' }, when: 'no such store' },
      ...auth('admin'),
    ],
  },
};

function uploadRefusals(kind: 'store' | 'admin'): Refusal[] {
  return [
    { status: 400, body: invalid('Invalid request body', 'content_type', 'This file type is not allowed'), when: 'a type outside the allowlist' },
    { status: 400, body: invalid('Invalid request body', 'size', 'Must be at most 20971520 bytes (20 MB)'), when: 'a size out of range (or a bad file_name)' },
    ...jsonBody,
    ...(kind === 'store' ? [blocked] : []),
    { status: 429, body: { error: 'Too many uploads: at most 30 every 60 seconds' }, when: 'past the ticket limit, each store and each admin on its own', retryAfter: true },
    storageDown,
    ...auth(kind),
  ];
}

/** README "Limits": the 64 KB body limit holds on every POST route, those that read no body too (lib/http/route.ts). */
function withBodyLimit(doc: RouteDoc): RouteDoc {
  return doc.refusals.some((refusal) => refusal.status === 413) ? doc : { ...doc, refusals: [...doc.refusals, jsonBody.find((refusal) => refusal.status === 413)!] };
}

const readmeUrl = (anchor: string) => `README.md#${anchor}`;

/** Clients call the paths with the trailing slash seed 000 gives; CloudFront strips it (README "Send Message (Store)"). */
const publicPath = (route: HttpRouteSpec) => `${route.path}/`;

function parameters(route: HttpRouteSpec, doc: RouteDoc): JsonObject[] {
  const out: JsonObject[] = [];
  for (const match of route.path.matchAll(/\{([a-z_]+)\}/g)) {
    out.push({ name: match[1]!, in: 'path', required: true, schema: inputSchema(queryId, target) });
  }
  if (doc.query) {
    const schema = inputSchema(doc.query, target);
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(schema.properties as JsonObject)) {
      out.push({ name, in: 'query', required: required.has(name), schema: property });
    }
  }
  return out;
}

function responses(doc: RouteDoc): JsonObject {
  const out: JsonObject = {
    '200': {
      description: 'OK',
      content: { 'application/json': { schema: ref(doc.success), ...(doc.successExample === undefined ? {} : { example: doc.successExample as JsonObject }) } },
    },
  };
  const byStatus = new Map<number, Refusal[]>();
  for (const refusal of [...doc.refusals, internal]) byStatus.set(refusal.status, [...(byStatus.get(refusal.status) ?? []), refusal]);
  for (const [status, refusals] of [...byStatus].sort(([a], [b]) => a - b)) {
    const examples: JsonObject = {};
    refusals.forEach((refusal, index) => {
      examples[`${status}-${index + 1}`] = { summary: refusal.when, value: refusal.body };
    });
    out[String(status)] = {
      description: refusals.map((refusal) => refusal.when).join('; '),
      ...(refusals.some((refusal) => refusal.retryAfter) ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
      content: { 'application/json': { schema: ref(views.errorSchema), examples } },
    };
  }
  return out;
}

/**
 * The HTTP API's `$default` route (lib/routes.ts `httpCatchAll`, lib/http/not-found.ts): every request no
 * operation takes. OpenAPI has no catch-all path, and listing other methods as operations would hand client
 * generators methods that do not exist, so the answers are stated once in an extension, in the form of an
 * operation's `responses` (README "API reference"); the end-to-end suite checks every such answer against it
 * (test/support/contract.ts).
 */
function defaultRoute(): JsonObject {
  const envelope = (description: string, example: JsonObject, headers: JsonObject = {}): JsonObject => ({
    description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { 'application/json': { schema: ref(views.errorSchema), example } },
  });
  return {
    description: 'The $default route: a request that no operation takes, with no token needed. 404 when no path of this document matches (after the one trailing slash CloudFront strips); 405 with Allow when the path exists with other methods (OPTIONS included: the API answers no CORS preflight); 403 when the request did not come through CloudFront.',
    responses: {
      '403': envelope('the request did not come through CloudFront (README "Origin check"), on any path', { error: 'Forbidden' }),
      '404': envelope('no operation has this path', { error: 'Not found' }),
      '405': envelope(
        'the path exists, but not with this method',
        { error: 'Method not allowed' },
        { Allow: { description: "The path's methods in this document, comma-separated: GET, POST.", required: true, schema: { type: 'string' } } },
      ),
    },
  };
}

export function openApiDocument(): JsonObject {
  const paths: JsonObject = {};
  for (const route of httpRoutes) {
    const key = (Object.keys(routes) as (keyof typeof routes)[]).find((name) => routes[name] === route) as HttpRouteName;
    const doc = docs[key];
    const operation: JsonObject = {
      operationId: key,
      summary: doc.summary,
      description: `README "${doc.summary}" is the prose contract: ${readmeUrl(doc.readme)}. The path also works without the trailing slash.`,
      tags: [route.auth],
      security: [{ Token: [] }],
      'x-principal': route.auth,
      parameters: parameters(route, doc),
      responses: responses(route.method === 'POST' ? withBodyLimit(doc) : doc),
    };
    if (doc.body) {
      const schema = doc.body === storeBatchEnvelope ? batchBody() : inputSchema(doc.body, target);
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema, ...(doc.requestExample === undefined ? {} : { example: doc.requestExample as JsonObject }) } },
      };
    }
    if ((operation.parameters as JsonObject[]).length === 0) delete operation.parameters;
    const path = publicPath(route);
    paths[path] = { ...((paths[path] as JsonObject | undefined) ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Support chat HTTP API',
      version: '1',
      summary: 'Store-to-admin support chat: stores send messages, admins answer over the WebSocket API (docs/asyncapi.json).',
      description: [
        'Generated by `npm run contracts` from the route manifest (lib/routes.ts) and the zod schemas; do not edit by hand. README "API reference" is the prose contract.',
        'Every error uses one envelope, {"error": "<summary>", "errors": {"<field>": ["<detail>"]}}; `errors` is present only when there are field details.',
        'A request no operation takes gets 404 {"error": "Not found"}, or 405 {"error": "Method not allowed"} with `Allow` when the path exists with other methods; no token is needed for either.',
        'Integers are at most 2^53 - 1 (9007199254740991): JSON cannot carry larger ones exactly. Times are ISO-8601 UTC with milliseconds. Absent strings are "", absent objects null.',
      ].join('\n\n'),
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'The local stack (npm start)' },
      { url: 'https://{HttpApiUrl}', description: 'Deployed: the HttpApiUrl stack output (CloudFront)', variables: { HttpApiUrl: { default: 'd111111abcdef8.cloudfront.net' } } },
    ],
    tags: [
      { name: 'store', description: 'Routes for a store token' },
      { name: 'admin', description: 'Routes for an admin token' },
    ],
    security: [{ Token: [] }],
    paths: sortedKeys(paths),
    'x-default-route': defaultRoute(),
    components: {
      securitySchemes: {
        Token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'Authorization: Token <token>. A store token for store routes, an admin token for admin routes (ops CLI: `chatctl token`).',
        },
      },
      headers: {
        // README: every 429 and 503 comes "with Retry-After" (lib/errors.ts sets it on both).
        RetryAfter: { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 1 } },
      },
      // Events belong to the WebSocket API (docs/asyncapi.json).
      schemas: componentSchemas(target, (id) => !id.startsWith('Event_')),
    },
  };
}
