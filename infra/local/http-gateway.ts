import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { originVerifyHeader } from '../../lib/http/origin';
import type { HttpRouteSpec } from '../../lib/routes';
import type { LocalConsole } from './console-server';
import { HttpRouter } from './http-router';
import { LambdaTimeoutError, type LocalFunction } from './lambda';

/** API Gateway's own payload limit for HTTP APIs. */
const maxPayloadBytes = 10 * 1024 * 1024;

export interface HttpGatewayOptions {
  host: string;
  port: number;
  apiId: string;
  /** No authorizer: as in the stack, each route's function authenticates the request (lib/auth/http-identity.ts). */
  routes: { spec: HttpRouteSpec; fn: LocalFunction }[];
  /** The `$default` route: every request no route matches. */
  catchAll: LocalFunction;
  /** The CloudFront viewer-request function that fronts the API. */
  edge: (uri: string, method: string) => string;
  /** The x-origin-verify value the edge adds to every request it forwards, as CloudFront's origin custom header. */
  originSecret: string;
  /** The API's own endpoint (HttpApiOriginUrl): no edge function, no added header. 0 picks a free port. */
  originPort?: number;
  /** The console's CloudFront behaviours (/console, /console/*) on the edge; the bare API does not serve it. */
  console?: LocalConsole;
  onError?: (message: string, error: unknown) => void;
}

export interface HttpGateway {
  /** CloudFront's URL (HttpApiUrl): the edge function runs and adds the origin header. */
  url: string;
  /** The API endpoint behind it (HttpApiOriginUrl): answers 403 without the origin header, like AWS. */
  originUrl: string;
  close(): Promise<void>;
}

interface GatewayReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Answered by the console's behaviours (S3 or the function), not API Gateway. */
  console?: true;
}

const gatewayError = (status: number, message: string): GatewayReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

const textTypes = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded))/i;

function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxPayloadBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseQuery(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  // A plain object would answer "constructor" or "__proto__" from its prototype.
  const joined = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(raw)) joined.set(key, joined.has(key) ? `${joined.get(key)},${value}` : value);
  return Object.fromEntries(joined);
}

function headerMap(req: IncomingMessage, host: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  out['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
  out['x-forwarded-proto'] = 'http';
  out.host = host;
  return out;
}

function toReply(result: unknown): GatewayReply {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const response = result as { statusCode: number; headers?: Record<string, unknown>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
    const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'utf8');
    return { status: response.statusCode, headers, body };
  }
  // Payload 2.0 treats any other return value as a 200 JSON body.
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}

/**
 * A local stand-in for CloudFront + API Gateway HTTP API (payload 2.0): the
 * edge function and its origin header on `url`, the bare API on `originUrl`,
 * strict route matching with no authorizer (the functions authenticate), the
 * `$default` catch-all, and the same response mapping and gateway error bodies.
 */
export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const router = new HttpRouter(options.routes.map(({ spec, fn }) => ({ method: spec.method, path: spec.path, target: fn })));
  const reportError = options.onError ?? (() => undefined);

  async function handle(req: IncomingMessage, host: string, viaEdge: boolean): Promise<GatewayReply> {
    const body = await readBody(req);
    if (body === 'too-large') return gatewayError(413, 'Request Entity Too Large');
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    // CloudFront picks the behaviour by path before any function runs: the console's go to its own origin.
    if (viaEdge && options.console?.serves(path)) return { ...(await options.console.answer(method, path)), console: true };
    const rawPath = viaEdge ? options.edge(path, method) : path;
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const match = router.match(method, rawPath);

    const now = new Date();
    const headers = headerMap(req, host);
    // CloudFront overwrites a viewer's header of the same name with the origin custom header.
    if (viaEdge) headers[originVerifyHeader] = options.originSecret;
    const cookieHeader = req.headers.cookie;
    const requestContext = {
      accountId: '000000000000',
      apiId: options.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: { method, path: rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp: headers['x-forwarded-for'] ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: match?.routeKey ?? '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    };
    const shared = {
      version: '2.0',
      routeKey: match?.routeKey ?? '$default',
      rawPath,
      rawQueryString,
      ...(cookieHeader ? { cookies: cookieHeader.split(/;\s*/) } : {}),
      headers,
      ...(parseQuery(rawQueryString) ? { queryStringParameters: parseQuery(rawQueryString) } : {}),
      ...(match?.pathParameters ? { pathParameters: match.pathParameters } : {}),
    };
    const text = body.length === 0 || textTypes.test(headers['content-type'] ?? '');
    const payload = {
      ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: !text,
    };

    // API Gateway sends whatever no route matches (any path, any method) to $default.
    if (!match) return invokeRoute(options.catchAll, { ...shared, requestContext, ...payload });
    // No authorizer context: the stack's HTTP routes have none, so a handler that trusted one would fail in AWS too.
    return invokeRoute(match.route.target, { ...shared, requestContext, ...payload });
  }

  async function invokeRoute(target: LocalFunction, event: unknown): Promise<GatewayReply> {
    try {
      return toReply(await target.invoke(event));
    } catch (error) {
      reportError(`${target.name} failed`, error);
      return error instanceof LambdaTimeoutError ? gatewayError(503, 'Service Unavailable') : gatewayError(500, 'Internal Server Error');
    }
  }

  const listen = async (port: number, viaEdge: boolean): Promise<{ server: Server; url: string }> => {
    const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const host = req.headers.host ?? `${options.host}:${port}`;
      void handle(req, host, viaEdge)
        .catch((error: unknown) => {
          reportError('gateway failure', error);
          return gatewayError(500, 'Internal Server Error');
        })
        .then((reply) => {
          res.writeHead(reply.status, { ...reply.headers, ...(reply.console ? {} : { 'apigw-requestid': randomUUID() }), 'content-length': String(reply.body.length) });
          res.end(reply.body);
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => resolve());
    });
    return { server, url: `http://${options.host}:${(server.address() as AddressInfo).port}` };
  };
  const stop = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const edge = await listen(options.port, true);
  let origin;
  try {
    origin = await listen(options.originPort ?? 0, false);
  } catch (error) {
    await stop(edge.server);
    throw error;
  }
  const originServer = origin.server;
  return {
    url: edge.url,
    originUrl: origin.url,
    close: async () => {
      await Promise.all([stop(edge.server), stop(originServer)]);
    },
  };
}
