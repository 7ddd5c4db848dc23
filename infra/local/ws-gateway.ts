import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { WsRouteSpec } from '../../lib/routes';
import type { LocalFunction } from './lambda';

/** API Gateway WebSocket quotas. */
export const wsQuotas = {
  frameBytes: 32 * 1024,
  postToConnectionBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxConnectionMs: 2 * 60 * 60 * 1000,
};

export type PushFault = 'gone' | 'error' | 'hang';

export interface WsGatewayOptions {
  host: string;
  port: number;
  apiId: string;
  stage: string;
  routes: { spec: WsRouteSpec; fn: LocalFunction }[];
  authorizer: LocalFunction;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
  onError?: (message: string, error: unknown) => void;
}

export interface WsGateway {
  /** Clients connect here. */
  url: string;
  /** What ApiGatewayManagementApiClient uses as its endpoint. */
  managementEndpoint: string;
  connectionCount(): number;
  /** Test hook: make @connections answer for matching connections as if faulty. */
  setPushFault(fault: ((connectionId: string) => PushFault | undefined) | undefined): void;
  close(): Promise<void>;
}

interface LiveConnection {
  id: string;
  socket: WebSocket;
  authorizer: Record<string, unknown>;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  idleTimer?: NodeJS.Timeout;
  maxTimer?: NodeJS.Timeout;
}

function rawHttpReject(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ message: reason });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

function singleValues(source: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) if (value !== undefined) out[key] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}), 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** A local stand-in for an API Gateway WebSocket API and its @connections management API. */
export async function startWsGateway(options: WsGatewayOptions): Promise<WsGateway> {
  const idleTimeoutMs = options.idleTimeoutMs ?? wsQuotas.idleTimeoutMs;
  const maxConnectionMs = options.maxConnectionMs ?? wsQuotas.maxConnectionMs;
  const reportError = options.onError ?? (() => undefined);
  const byKey = new Map(options.routes.map((route) => [route.spec.routeKey, route]));
  const connections = new Map<string, LiveConnection>();
  const pending = new Set<Promise<unknown>>();
  let pushFault: ((connectionId: string) => PushFault | undefined) | undefined;
  let domainName = `${options.host}:${options.port}`;

  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  };

  const baseContext = (connection: Pick<LiveConnection, 'id' | 'connectedAt' | 'sourceIp' | 'userAgent'>, routeKey: string, eventType: string) => {
    const now = Date.now();
    return {
      routeKey,
      eventType,
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      messageDirection: 'IN',
      stage: options.stage,
      connectedAt: connection.connectedAt,
      requestTimeEpoch: now,
      identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      requestId: randomUUID(),
      domainName,
      connectionId: connection.id,
      apiId: options.apiId,
    };
  };

  // The subprotocol $connect returned, per handshake. Like API Gateway, the gateway echoes only that:
  // without handleProtocols `ws` would pick the client's first offer itself.
  const echoed = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: wsQuotas.frameBytes,
    // A client that offered protocols and gets none back fails the handshake, as a browser does against AWS.
    handleProtocols: (_offered, req) => echoed.get(req) ?? false,
  });

  const armIdleTimer = (connection: LiveConnection) => {
    clearTimeout(connection.idleTimer);
    connection.idleTimer = setTimeout(() => connection.socket.close(1001, 'Going away'), idleTimeoutMs);
  };

  async function disconnect(connection: LiveConnection, code: number, reason: string): Promise<void> {
    if (!connections.delete(connection.id)) return;
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.maxTimer);
    const route = byKey.get('$disconnect');
    if (!route) return;
    try {
      await route.fn.invoke({
        requestContext: {
          ...baseContext(connection, '$disconnect', 'DISCONNECT'),
          disconnectStatusCode: code,
          disconnectReason: reason,
          authorizer: connection.authorizer,
        },
        headers: {},
        isBase64Encoded: false,
      });
    } catch (error) {
      reportError('$disconnect failed', error);
    }
  }

  async function onMessage(connection: LiveConnection, data: RawData, isBinary: boolean): Promise<void> {
    connection.lastActiveAt = Date.now();
    armIdleTimer(connection);
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const body = isBinary ? buffer.toString('base64') : buffer.toString('utf8');
    let routeKey = '$default';
    if (!isBinary) {
      try {
        const parsed: unknown = JSON.parse(body);
        const action = typeof parsed === 'object' && parsed !== null ? (parsed as { action?: unknown }).action : undefined;
        if (typeof action === 'string' && !action.startsWith('$') && byKey.has(action)) routeKey = action;
      } catch {
        // Not JSON: $default, as API Gateway routes it.
      }
    }
    const context = baseContext(connection, routeKey, 'MESSAGE');
    const route = byKey.get(routeKey);
    if (!route) {
      connection.socket.send(JSON.stringify({ message: 'Forbidden', connectionId: connection.id, requestId: context.requestId }));
      return;
    }
    try {
      const result = (await route.fn.invoke({
        requestContext: { ...context, messageId: randomUUID(), authorizer: connection.authorizer },
        body,
        isBase64Encoded: isBinary,
      })) as { body?: unknown } | undefined;
      if (route.spec.returnResponse && typeof result?.body === 'string' && connections.has(connection.id)) connection.socket.send(result.body);
    } catch (error) {
      reportError(`${route.fn.name} failed`, error);
      if (connections.has(connection.id)) {
        connection.socket.send(JSON.stringify({ message: 'Internal server error', connectionId: connection.id, requestId: context.requestId }));
      }
    }
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The authorizer has no identity source (infra/stack.ts): the token may come as ?token= or in
    // Sec-WebSocket-Protocol, so API Gateway runs it for every handshake and it answers 401 itself.
    const candidate = {
      id: randomBytes(11).toString('base64'),
      connectedAt: Date.now(),
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
    };
    const query = Object.fromEntries(url.searchParams);
    const headers = singleValues(req.headers);
    const requestContext = baseContext(candidate, '$connect', 'CONNECT');
    let authorizer: Record<string, unknown>;
    try {
      const result = (await options.authorizer.invoke({
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:us-east-1:000000000000:${options.apiId}/${options.stage}/$connect`,
        headers,
        queryStringParameters: query,
        stageVariables: {},
        requestContext,
      })) as { principalId?: string; policyDocument?: { Statement?: { Effect?: string }[] }; context?: Record<string, unknown> };
      if (result?.policyDocument?.Statement?.[0]?.Effect !== 'Allow') return rawHttpReject(socket, 403, 'Forbidden');
      authorizer = { principalId: result.principalId, ...(result.context ?? {}) };
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') return rawHttpReject(socket, 401, 'Unauthorized');
      reportError('authorizer failed', error);
      return rawHttpReject(socket, 500, 'Internal Server Error');
    }
    const connectRoute = byKey.get('$connect');
    if (connectRoute) {
      try {
        const result = (await connectRoute.fn.invoke({ requestContext: { ...requestContext, authorizer }, headers, queryStringParameters: query, isBase64Encoded: false })) as
          | { statusCode?: number; headers?: Record<string, unknown> }
          | undefined;
        const status = result?.statusCode ?? 200;
        if (status < 200 || status > 299) return rawHttpReject(socket, status, 'Forbidden');
        const protocol = Object.entries(result?.headers ?? {}).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
        if (typeof protocol === 'string') echoed.set(req, protocol);
      } catch (error) {
        reportError('$connect failed', error);
        return rawHttpReject(socket, 500, 'Internal Server Error');
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: LiveConnection = { ...candidate, socket: ws, authorizer, lastActiveAt: Date.now() };
      connections.set(connection.id, connection);
      armIdleTimer(connection);
      connection.maxTimer = setTimeout(() => ws.close(1001, 'Going away'), maxConnectionMs);
      ws.on('message', (data, isBinary) => void track(onMessage(connection, data, isBinary)));
      ws.on('close', (code, reason) => void track(disconnect(connection, code, reason.toString())));
      ws.on('error', () => ws.terminate());
    });
  }

  async function onManagement(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = /^(?:\/[^/]+)?\/@connections\/([^/]+)$/.exec(path);
    if (!match?.[1]) return sendJson(res, 403, { message: 'Forbidden' });
    const id = decodeURIComponent(match[1]);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const connection = connections.get(id);
    const fault = pushFault?.(id);
    if (fault === 'hang') return; // never answers: the caller's timeout must fire
    if (fault === 'error') return sendJson(res, 500, { message: 'Internal server error' }, 'InternalServerErrorException');
    if (!connection || fault === 'gone') return sendJson(res, 410, { message: `Connection ${id} is gone` }, 'GoneException');
    if (req.method === 'POST') {
      const data = Buffer.concat(chunks);
      if (data.length > wsQuotas.postToConnectionBytes) return sendJson(res, 413, { message: 'Payload too large' }, 'PayloadTooLargeException');
      connection.socket.send(data.toString('utf8'));
      return sendJson(res, 200, undefined);
    }
    if (req.method === 'GET') {
      return sendJson(res, 200, {
        ConnectedAt: new Date(connection.connectedAt).toISOString(),
        Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
        LastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    if (req.method === 'DELETE') {
      connection.socket.close(1000, 'Closed by server');
      return sendJson(res, 204, undefined);
    }
    return sendJson(res, 403, { message: 'Forbidden' });
  }

  const server: Server = createServer((req, res) => {
    track(onManagement(req, res)).catch((error: unknown) => {
      reportError('@connections failed', error);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' }, 'InternalServerErrorException');
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(onUpgrade(req, socket, head)).catch((error: unknown) => {
      reportError('upgrade failed', error);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  domainName = `${options.host}:${port}`;
  const base = `${options.host}:${port}`;
  return {
    url: `ws://${base}`,
    managementEndpoint: `http://${base}`,
    connectionCount: () => connections.size,
    setPushFault: (fault) => {
      pushFault = fault;
    },
    async close() {
      const open = [...connections.values()];
      // Run $disconnect first so the row cleanup is awaited, then drop the sockets.
      await Promise.all(open.map((connection) => disconnect(connection, 1001, 'Going away')));
      for (const connection of open) connection.socket.terminate();
      await Promise.allSettled([...pending]);
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
