/**
 * docs/asyncapi.json (AsyncAPI 3.0): the WebSocket API for admins and stores (README "Admin
 * WebSocket", "Store WebSocket"). One channel, the socket; each action of the manifest
 * (lib/routes.ts) is a `send` operation whose frame schema is the handler's own zod schema and
 * whose reply is its result or error frame; each server event (lib/realtime/events.ts) is a
 * `receive` operation (README "Contracts").
 */
import * as z from '../../lib/validation';
import { adminSendFrame } from '../../lib/chat/drafts';
import * as views from '../../lib/chat/view-schemas';
import { limits } from '../../lib/limits';
import { routes, wsRoutes, type WsRouteSpec } from '../../lib/routes';
import { sessionFrame } from '../../lib/ws/fields';
import { chatSubprotocol, tokenSubprotocolPrefix } from '../../lib/ws/protocol';
import { frame as blockFrame } from '../../functions/ws/block';
import { frame as hideFrame } from '../../functions/ws/hide';
import { frame as pingFrame } from '../../functions/ws/ping';
import { readFrame } from '../../functions/ws/read';
import { transferFrame } from '../../functions/ws/transfer';
import { typingFrame } from '../../functions/ws/typing';
import { frame as unblockFrame } from '../../functions/ws/unblock';
import { frame as unhideFrame } from '../../functions/ws/unhide';
import { componentSchemas, inputSchema, ref, sortedKeys, type JsonObject } from './json-schema';

const target = { target: 'draft-7' } as const;

/** The actions: every WebSocket route but the three API Gateway routes ($connect, $disconnect, $default). */
type ActionName = Exclude<{ [K in keyof typeof routes]: (typeof routes)[K] extends { api: 'ws' } ? K : never }[keyof typeof routes], 'wsConnect' | 'wsDisconnect' | 'wsDefault'>;

interface ActionDoc {
  frame: z.core.$ZodType;
  /** What the result frame adds to type, action and request_id. */
  result: Record<string, JsonObject>;
  example: JsonObject;
  /** README's error frames for the action: status and error. */
  errors: [number, string][];
}

const session = { session: ref(views.sessionSchema) };
const integer = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
const claimErrors: [number, string][] = [
  [403, 'Session is claimed by another admin'],
  [404, 'Session not found'],
];
/** Actions that append to the session's log (lib/chat/session-log.ts): a full session (999,999 entries) and a lost race. */
const logErrors: [number, string][] = [
  [409, 'Session is full'],
  [503, 'The session is busy, please retry'],
];

const actions: Record<ActionName, ActionDoc> = {
  wsClaim: {
    frame: sessionFrame,
    result: session,
    example: { action: 'claim', request_id: 'r1', session_id: 7 },
    errors: [
      [409, 'Session is already claimed'],
      [409, 'Session is closed'],
      [404, 'Session not found'],
      ...logErrors,
    ],
  },
  wsRelease: { frame: sessionFrame, result: session, example: { action: 'release', session_id: 7 }, errors: [[409, 'Session is not claimed'], ...claimErrors, ...logErrors] },
  wsTransfer: {
    frame: transferFrame,
    result: session,
    example: { action: 'transfer', session_id: 7, admin_id: 4 },
    errors: [[409, 'Session is not claimed'], ...claimErrors, [404, 'Admin not found'], [400, 'Invalid frame'], ...logErrors],
  },
  wsSend: {
    frame: adminSendFrame,
    result: { session: ref(views.sessionSchema), message: ref(views.messageSchema) },
    example: { action: 'send', session_id: 7, content: 'Track your parcel here', special_type: 'open_url', special_param: 'https://shop.example/track/1042' },
    errors: [
      [409, 'Claim the session before replying'],
      [403, 'Session is claimed by another admin'],
      [409, 'Session is closed'],
      [404, 'Product not found'],
      [400, 'Invalid frame'],
      [409, 'client_message_id was already used for a different message'],
      ...logErrors,
    ],
  },
  wsClose: { frame: sessionFrame, result: session, example: { action: 'close', session_id: 7 }, errors: [...claimErrors, ...logErrors] },
  wsRead: {
    frame: readFrame,
    result: { session_id: integer, up_to_id: integer, advanced: { type: 'boolean' } },
    example: { action: 'read', session_id: 7, up_to_id: 7000004 },
    errors: [...claimErrors, [400, 'Invalid frame']],
  },
  wsTyping: {
    frame: typingFrame,
    result: { session_id: integer, is_typing: { type: 'boolean' } },
    example: { action: 'typing', request_id: 't1', session_id: 7, is_typing: true },
    errors: [[403, 'Session is claimed by another admin'], [404, 'Session not found'], [409, 'Session is closed'], [400, 'Invalid frame']],
  },
  wsPing: { frame: pingFrame, result: { time: { type: 'string', format: 'date-time' } }, example: { action: 'ping', request_id: 'p1' }, errors: [] },
  wsBlock: { frame: blockFrame, result: { store: ref(views.storeSchema) }, example: { action: 'block', store_id: 5 }, errors: [[404, 'Store not found']] },
  wsUnblock: { frame: unblockFrame, result: { store: ref(views.storeSchema) }, example: { action: 'unblock', store_id: 5 }, errors: [[404, 'Store not found']] },
  wsHide: {
    frame: hideFrame,
    result: { message: ref(views.messageSchema) },
    example: { action: 'hide', message_id: 1000004 },
    errors: [[404, 'Message not found'], [409, 'Only store and admin messages can be hidden']],
  },
  wsUnhide: {
    frame: unhideFrame,
    result: { message: ref(views.messageSchema) },
    example: { action: 'unhide', message_id: 1000004 },
    errors: [[404, 'Message not found'], [409, 'Only store and admin messages can be hidden']],
  },
};

const requestId = { type: 'string', maxLength: limits.requestIdMaxChars, description: 'Echoed in the result or error frame.' };
const echoedRequestId = { type: ['string', 'null'], maxLength: limits.requestIdMaxChars };

function frameSchema(route: WsRouteSpec, doc: ActionDoc): JsonObject {
  const schema = inputSchema(doc.frame, target);
  const properties = { action: { type: 'string', const: route.routeKey }, request_id: requestId, ...(schema.properties as JsonObject) };
  return { ...schema, properties, required: ['action', ...((schema.required as string[] | undefined) ?? [])] };
}

function resultSchema(route: WsRouteSpec, doc: ActionDoc): JsonObject {
  return {
    type: 'object',
    properties: { type: { type: 'string', const: 'result' }, action: { type: 'string', const: route.routeKey }, request_id: echoedRequestId, ...doc.result },
    required: ['type', 'action', 'request_id', ...Object.keys(doc.result)],
    additionalProperties: false,
  };
}

/** README "Admin WebSocket", Frames: the HTTP error envelope plus type, action, request_id and status. */
const errorFrameSchema: JsonObject = {
  type: 'object',
  properties: {
    type: { type: 'string', const: 'error' },
    action: { type: ['string', 'null'], description: 'The action, or null for a frame that is not one.' },
    request_id: echoedRequestId,
    status: { type: 'integer', minimum: 400, maximum: 599 },
    error: { type: 'string' },
    errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
  required: ['type', 'action', 'request_id', 'status', 'error'],
  additionalProperties: false,
};

const securityRefs = [{ $ref: '#/components/securitySchemes/tokenSubprotocol' }, { $ref: '#/components/securitySchemes/tokenQuery' }];

const messageKey = (name: string) => name.replace(/\./g, '_');
const channelMessage = (name: string) => ({ $ref: `#/channels/socket/messages/${messageKey(name)}` });

export function asyncApiDocument(): JsonObject {
  const messages: JsonObject = {};
  const operations: JsonObject = {};
  const byKey = new Map(wsRoutes.map((route) => [route.routeKey, route]));
  const add = (key: string, message: JsonObject) => {
    if (key in messages) throw new Error(`two messages named ${key}`);
    messages[key] = message;
  };
  for (const [name, doc] of Object.entries(actions) as [ActionName, ActionDoc][]) {
    const route = routes[name] as WsRouteSpec;
    const action = route.routeKey;
    const admin = route.auth === 'admin';
    const refusals: [number, string][] = [...doc.errors, ...(admin ? ([[403, 'This action requires an admin token']] as [number, string][]) : []), [400, 'Invalid frame'], [500, 'Internal server error']];
    const unique = [...new Map(refusals.map(([status, error]) => [`${status} ${error}`, [status, error] as const])).values()];
    add(messageKey(action), {
      name: action,
      title: `${action} (${admin ? 'admins' : 'admins and stores'})`,
      payload: frameSchema(route, doc),
      examples: [{ payload: doc.example }],
    });
    add(messageKey(`${action}.result`), { name: `${action}.result`, payload: resultSchema(route, doc) });
    add(messageKey(`${action}.error`), {
      name: `${action}.error`,
      payload: errorFrameSchema,
      examples: unique.map(([status, error]) => ({ name: `${status}-${error.replace(/[^A-Za-z0-9]+/g, '-')}`.replace(/-+$/, ''), payload: { type: 'error', action, request_id: 'r1', status, error } })),
    });
    operations[action] = {
      action: 'send',
      channel: { $ref: '#/channels/socket' },
      summary: `The ${action} action (README "${admin ? 'Admin WebSocket' : 'Store WebSocket'}", Actions)`,
      'x-principal': admin ? 'admin' : 'any',
      messages: [channelMessage(action)],
      reply: { channel: { $ref: '#/channels/socket' }, messages: [channelMessage(`${action}.result`), channelMessage(`${action}.error`)] },
    };
  }
  if (!byKey.has('$default')) throw new Error('the manifest has no $default WebSocket route');
  add('frameError', {
    name: 'frameError',
    summary: 'The answer to a frame that is not an action (the $default route); the socket stays open.',
    payload: errorFrameSchema,
    examples: [
      { name: 'not-JSON', payload: { type: 'error', action: null, request_id: null, status: 400, error: 'Malformed JSON frame' } },
      { name: 'not-an-object', payload: { type: 'error', action: null, request_id: null, status: 400, error: 'Frame must be a JSON object' } },
      { name: 'no-action', payload: { type: 'error', action: null, request_id: 'r1', status: 400, error: 'Invalid frame', errors: { action: ['Must be a string'] } } },
      { name: 'unknown-action', payload: { type: 'error', action: 'dance', request_id: 'r1', status: 404, error: 'Unknown action: dance' } },
    ],
  });
  operations.frameError = { action: 'receive', channel: { $ref: '#/channels/socket' }, summary: 'Error frames for anything that is not an action', messages: [channelMessage('frameError')] };
  for (const [type, schema] of Object.entries(views.eventSchemas)) {
    const description = z.globalRegistry.get(schema)?.description ?? '';
    // Keyed event.<type>: an event and an action may share a name (typing).
    add(messageKey(`event.${type}`), { name: type, summary: description, payload: ref(schema) });
    operations[messageKey(`event.${type}`)] = { action: 'receive', channel: { $ref: '#/channels/socket' }, summary: `The ${type} event`, messages: [channelMessage(`event.${type}`)] };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Support chat WebSocket API',
      version: '1',
      description: [
        'Generated by `npm run contracts` from the route manifest (lib/routes.ts) and the zod schemas; do not edit by hand. README "Admin WebSocket" and "Store WebSocket" are the prose contract.',
        `Connect with the token in the subprotocols, \`["${chatSubprotocol}", "${tokenSubprotocolPrefix}<token>"]\` (the server echoes ${chatSubprotocol}, never the token), or in the query string, \`?token=<token>\`; if both are given they must be the same token.`,
        `The handshake answers 401 with no token, an unknown or revoked token, two ${tokenSubprotocolPrefix} protocols or two different tokens, and 400 for subprotocols without ${chatSubprotocol}; a refusal has no body. A principal holds at most 10 live connections (an 11th closes the oldest); a frame over ${limits.wsFrameMaxBytes / 1024} KB closes the socket.`,
        'Clients send {"action": "...", "request_id": "...", ...}; the server answers every action with a result or an error frame carrying the same request_id, and pushes events, each with a `type`. Over a store socket only ping and typing are allowed; every other action answers 403 "This action requires an admin token".',
      ].join('\n\n'),
      license: { name: 'Proprietary' },
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:3001', protocol: 'ws', description: 'The local stack (npm start)', security: securityRefs },
      aws: {
        host: '{WebSocketUrl}',
        protocol: 'wss',
        description: 'Deployed: the WebSocketUrl stack output',
        variables: { WebSocketUrl: { default: 'abcdef1234.execute-api.eu-west-1.amazonaws.com/prod' } },
        security: securityRefs,
      },
    },
    channels: {
      socket: {
        address: '/',
        title: 'The socket',
        description: 'Every frame, both ways, travels on the one socket.',
        messages: sortedKeys(messages),
        bindings: {
          ws: {
            bindingVersion: '0.1.0',
            query: { type: 'object', properties: { token: { type: 'string', description: 'The token, when not in the subprotocols.' } } },
            headers: {
              type: 'object',
              properties: { 'Sec-WebSocket-Protocol': { type: 'string', description: `${chatSubprotocol}, ${tokenSubprotocolPrefix}<token>`, examples: [`${chatSubprotocol}, ${tokenSubprotocolPrefix}abc123`] } },
            },
          },
        },
      },
    },
    operations: sortedKeys(operations),
    components: {
      securitySchemes: {
        tokenSubprotocol: { type: 'httpApiKey', in: 'header', name: 'Sec-WebSocket-Protocol', description: `Offer two subprotocols, ${chatSubprotocol} and ${tokenSubprotocolPrefix}<token> (browsers cannot set other headers).` },
        tokenQuery: { type: 'httpApiKey', in: 'query', name: 'token', description: 'The token as ?token=<token>; proxies and browser histories may record it.' },
      },
      schemas: componentSchemas(target, () => true),
    },
  };
}
