/**
 * The route manifest: the only list of endpoints. The CDK stack builds one
 * Lambda per entry and wires it to the HTTP or WebSocket API; the local
 * gateways load the same entries; handlers read their own entry for auth.
 */

/** What a function may touch. The stack turns each into a least-privilege grant. */
export type Access =
  | 'chat:read'
  | 'chat:write'
  | 'connections:read'
  | 'connections:write'
  | 'push'
  /** s3:PutObject under uploads/: a presigned POST carries the signer's rights. */
  | 'attachments:upload'
  /** s3:GetObject under uploads/ (sniff, copy source), s3:PutObject under attachments/ (copy target). */
  | 'attachments:attach'
  /** s3:GetObject under attachments/: presigned download links. */
  | 'attachments:read';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** Which principal the route serves. The route wrapper resolves the token and enforces this (lib/auth/http-identity.ts). */
export type RouteAuth = 'store' | 'admin';

export interface HttpRouteSpec {
  api: 'http';
  name: string;
  method: HttpMethod;
  /** Canonical path without a trailing slash; the edge function strips one (docs/ARCHITECTURE.md). */
  path: string;
  handler: string;
  auth: RouteAuth;
  /**
   * Every HTTP route reads its token itself (no API Gateway authorizer, docs/ARCHITECTURE.md
   * "Authentication"), so each needs chat:read for the token's GetItem.
   */
  access: readonly Access[];
  /** Every HTTP route checks CloudFront's header itself, before the token (README, "Origin check"). */
  verifiesOrigin: true;
}

export interface WsRouteSpec {
  api: 'ws';
  name: string;
  routeKey: string;
  handler: string;
  /**
   * $connect runs the WebSocket authorizer; later routes inherit its principal. `any`: an admin or a
   * store (README "Store WebSocket"); `connection`: whoever the connection belongs to, checked by nobody.
   */
  auth: RouteAuth | 'any' | 'connection';
  access: readonly Access[];
  /** Send the handler's body back to the caller as the route response. */
  returnResponse: boolean;
}

/** What every function of the manifest has: the stack and the local stack build one function from each. */
export interface FunctionSpec {
  name: string;
  handler: string;
  access: readonly Access[];
  /**
   * Checks the secret header CloudFront adds to every origin request, so the
   * HTTP API answers only through CloudFront (README, "Origin check"). The
   * stack gives only these functions the accepted values: the HTTP routes and `$default`.
   */
  verifiesOrigin?: boolean;
}

/**
 * The HTTP API's `$default` route: API Gateway sends it every request no
 * other route matches (an unknown path, a known path with another method, an
 * OPTIONS preflight). It has no authorizer and no token; it answers 404 or
 * 405 in the project envelope (lib/http/not-found.ts). Kept out of `routes`,
 * whose HTTP entries are the authenticated endpoints.
 */
export interface HttpCatchAllSpec extends FunctionSpec {
  api: 'http';
  routeKey: '$default';
  /** Marks the catch-all: the stack and the local gateway route unmatched requests here. */
  catchAll: true;
  auth: 'none';
}

export const httpCatchAll = {
  api: 'http',
  name: 'HttpNotFound',
  routeKey: '$default',
  catchAll: true,
  handler: 'functions/http/not-found.ts',
  auth: 'none',
  access: [],
  verifiesOrigin: true,
} as const satisfies HttpCatchAllSpec;

/**
 * Only the WebSocket API has one: it runs on $connect alone. HTTP routes authenticate inside
 * their own function (lib/auth/http-identity.ts), with no authorizer invocation.
 */
export const authorizers = {
  ws: { name: 'WsAuthorizer', handler: 'functions/auth/ws-authorizer.ts', access: ['chat:read'] },
} as const satisfies Record<'ws', FunctionSpec>;

/** Writes the chat table and pushes to sockets (deleting ones that are gone). */
const messaging = ['chat:read', 'chat:write', 'connections:read', 'connections:write', 'push'] as const;
/** Reads, and moves a receipt watermark. */
const reading = ['chat:read', 'chat:write'] as const;
/** Lists messages: names and presence of senders, download links. */
const listing = [...reading, 'connections:read', 'attachments:read'] as const;
/** Sends a message that may carry one of our uploads, and answers with a download link. */
const sending = [...messaging, 'attachments:attach', 'attachments:read'] as const;

const http = (name: string, method: HttpMethod, path: string, file: string, auth: RouteAuth, access: readonly Access[]): HttpRouteSpec => ({
  api: 'http',
  name,
  method,
  path,
  handler: `functions/http/${file}.ts`,
  auth,
  access,
  verifiesOrigin: true,
});

const action = (name: string, routeKey: string, file: string, access: readonly Access[], auth: WsRouteSpec['auth'] = 'admin'): WsRouteSpec => ({
  api: 'ws',
  name,
  routeKey,
  handler: `functions/ws/${file}.ts`,
  auth,
  access,
  returnResponse: true,
});

export const routes = {
  storeSendMessage: {
    api: 'http',
    name: 'StoreSendMessage',
    method: 'POST',
    path: '/v1/chat/store/message',
    handler: 'functions/http/store-send-message.ts',
    auth: 'store',
    access: sending,
    verifiesOrigin: true,
  },
  storeSendMessages: http('StoreSendMessages', 'POST', '/v1/chat/store/messages', 'store-send-messages', 'store', sending),
  storeRateSession: http('StoreRateSession', 'POST', '/v1/chat/store/rating', 'store-rate-session', 'store', messaging),
  // The store's profile: is it blocked, and when was it last seen.
  storeCreateAttachment: http('StoreCreateAttachment', 'POST', '/v1/chat/store/attachment', 'store-create-attachment', 'store', ['attachments:upload', 'chat:read', 'chat:write']),
  // chat:write: the per-principal ticket counter (README, "Limits"); chat:read: the token.
  adminCreateAttachment: http('AdminCreateAttachment', 'POST', '/v1/chat/admin/attachment', 'admin-create-attachment', 'admin', ['attachments:upload', 'chat:read', 'chat:write']),
  storeGetSession: http('StoreGetSession', 'GET', '/v1/chat/store/session', 'store-get-session', 'store', reading),
  storeListMessages: http('StoreListMessages', 'GET', '/v1/chat/store/messages', 'store-list-messages', 'store', listing),
  storeReadMessages: http('StoreReadMessages', 'POST', '/v1/chat/store/messages/read', 'store-read-messages', 'store', messaging),
  adminListSessions: http('AdminListSessions', 'GET', '/v1/chat/admin/sessions', 'admin-list-sessions', 'admin', ['chat:read']),
  adminListMessages: http('AdminListMessages', 'GET', '/v1/chat/admin/sessions/{session_id}/messages', 'admin-list-messages', 'admin', listing),
  adminListNotifications: http('AdminListNotifications', 'GET', '/v1/chat/admin/notifications', 'admin-list-notifications', 'admin', ['chat:read']),
  adminReadNotification: http('AdminReadNotification', 'POST', '/v1/chat/admin/notifications/{session_id}/read', 'admin-read-notification', 'admin', reading),
  adminReadAllNotifications: http('AdminReadAllNotifications', 'POST', '/v1/chat/admin/notifications/read', 'admin-read-all-notifications', 'admin', reading),
  // The console's sign-in check and its transfer and product pickers (README "Get Me (Admin)", "List Admins (Admin)",
  // "List Store Products (Admin)"); connections:read is the admins' presence.
  adminGetMe: http('AdminGetMe', 'GET', '/v1/chat/admin/me', 'admin-get-me', 'admin', ['chat:read']),
  adminListAdmins: http('AdminListAdmins', 'GET', '/v1/chat/admin/admins', 'admin-list-admins', 'admin', ['chat:read', 'connections:read']),
  adminListProducts: http('AdminListProducts', 'GET', '/v1/chat/admin/stores/{store_id}/products', 'admin-list-products', 'admin', ['chat:read']),
  wsConnect: {
    api: 'ws',
    name: 'WsConnect',
    routeKey: '$connect',
    handler: 'functions/ws/connect.ts',
    // Admins and stores (README "Admin WebSocket", "Store WebSocket").
    auth: 'any',
    // chat:write stamps an admin's last connect (presence); connections:read and push close the
    // principal's oldest connections past the cap (README "Limits").
    access: ['chat:write', 'connections:read', 'connections:write', 'push'],
    returnResponse: false,
  },
  wsDisconnect: {
    api: 'ws',
    name: 'WsDisconnect',
    routeKey: '$disconnect',
    handler: 'functions/ws/disconnect.ts',
    auth: 'connection',
    access: ['connections:write'],
    returnResponse: false,
  },
  wsClaim: {
    api: 'ws',
    name: 'WsClaim',
    routeKey: 'claim',
    handler: 'functions/ws/claim.ts',
    auth: 'admin',
    access: messaging,
    returnResponse: true,
  },
  wsRelease: action('WsRelease', 'release', 'release', messaging),
  wsTransfer: action('WsTransfer', 'transfer', 'transfer', messaging),
  wsSend: action('WsSend', 'send', 'send', sending),
  wsClose: action('WsClose', 'close', 'close', messaging),
  wsRead: action('WsRead', 'read', 'read', messaging),
  // A store may type and ping too; every other action is an admin's.
  wsTyping: action('WsTyping', 'typing', 'typing', ['chat:read', 'connections:read', 'connections:write', 'push'], 'any'),
  wsPing: action('WsPing', 'ping', 'ping', [], 'any'),
  wsBlock: action('WsBlock', 'block', 'block', messaging),
  wsUnblock: action('WsUnblock', 'unblock', 'unblock', messaging),
  wsHide: action('WsHide', 'hide', 'hide', [...messaging, 'attachments:read']),
  wsUnhide: action('WsUnhide', 'unhide', 'unhide', [...messaging, 'attachments:read']),
  wsDefault: {
    api: 'ws',
    name: 'WsDefault',
    routeKey: '$default',
    handler: 'functions/ws/default.ts',
    auth: 'connection',
    access: [],
    returnResponse: true,
  },
} as const satisfies Record<string, HttpRouteSpec | WsRouteSpec>;

export type RouteName = keyof typeof routes;

const all: readonly (HttpRouteSpec | WsRouteSpec)[] = Object.values(routes);

export const httpRoutes = all.filter((r): r is HttpRouteSpec => r.api === 'http');
export const wsRoutes = all.filter((r): r is WsRouteSpec => r.api === 'ws');

/** Every function the stack deploys: the routes, the `$default` catch-all and the WebSocket authorizer. */
export const functionSpecs: readonly FunctionSpec[] = [...httpRoutes, httpCatchAll, ...wsRoutes, authorizers.ws];

/** Settings every function shares, in Lambda (infra/constructs) and in the local gateways. */
export const functionDefaults = {
  timeoutSeconds: 10,
  memoryMb: 1024,
} as const;

/** The WebSocket API selects a route from this frame field. */
export const wsRouteSelectionExpression = '$request.body.action';

/** Whether a WebSocket route serves this kind of principal. */
export function wsAdmits(auth: WsRouteSpec['auth'], kind: RouteAuth): boolean {
  return auth === 'connection' || auth === 'any' || auth === kind;
}
