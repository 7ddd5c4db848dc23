import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { HttpRouteSpec } from '../../lib/routes';
import { HttpRouter } from './http-router';
import { LambdaTimeoutError, type LocalFunction } from './lambda';

/** API Gateway's own payload limit for HTTP APIs. */
const maxPayloadBytes = 10 * 1024 * 1024;

export interface HttpGatewayOptions {
  host: string;
  port: number;
  apiId: string;
  routes: { spec: HttpRouteSpec; fn: LocalFunction }[];
  authorizer: LocalFunction;
  /** The CloudFront viewer-request function that fronts the API. */
  edge: (uri: string, method: string) => string;
  onError?: (message: string, error: unknown) => void;
}

export interface HttpGateway {
  url: string;
  close(): Promise<void>;
}

interface GatewayReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
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
 * edge function, strict route matching, the Lambda authorizer with simple
 * responses, and the same response mapping and gateway error bodies.
 */
export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const router = new HttpRouter(options.routes.map(({ spec, fn }) => ({ method: spec.method, path: spec.path, target: fn })));
  const reportError = options.onError ?? (() => undefined);

  async function handle(req: IncomingMessage, host: string): Promise<GatewayReply> {
    const body = await readBody(req);
    if (body === 'too-large') return gatewayError(413, 'Request Entity Too Large');
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = options.edge(queryAt === -1 ? url : url.slice(0, queryAt), method);
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const match = router.match(method, rawPath);
    if (!match) return gatewayError(404, 'Not Found');

    const now = new Date();
    const headers = headerMap(req, host);
    const cookieHeader = req.headers.cookie;
    const requestContext = {
      accountId: '000000000000',
      apiId: options.apiId,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: { method, path: rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp: headers['x-forwarded-for'] ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: match.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    };
    const shared = {
      version: '2.0',
      routeKey: match.routeKey,
      rawPath,
      rawQueryString,
      ...(cookieHeader ? { cookies: cookieHeader.split(/;\s*/) } : {}),
      headers,
      ...(parseQuery(rawQueryString) ? { queryStringParameters: parseQuery(rawQueryString) } : {}),
      ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    };

    let authorization: { isAuthorized?: unknown; context?: unknown };
    try {
      authorization = (await options.authorizer.invoke({
        ...shared,
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:us-east-1:000000000000:${options.apiId}/$default/${method}${rawPath}`,
        identitySource: [],
        requestContext,
      })) as typeof authorization;
    } catch (error) {
      reportError('authorizer failed', error);
      return gatewayError(500, 'Internal Server Error');
    }
    if (authorization?.isAuthorized !== true) return gatewayError(403, 'Forbidden');

    const text = body.length === 0 || textTypes.test(headers['content-type'] ?? '');
    const event = {
      ...shared,
      requestContext: { ...requestContext, authorizer: { lambda: authorization.context ?? {} } },
      ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: !text,
    };
    try {
      return toReply(await match.route.target.invoke(event));
    } catch (error) {
      reportError(`${match.route.target.name} failed`, error);
      return error instanceof LambdaTimeoutError ? gatewayError(503, 'Service Unavailable') : gatewayError(500, 'Internal Server Error');
    }
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host ?? `${options.host}:${options.port}`;
    void handle(req, host)
      .catch((error: unknown) => {
        reportError('gateway failure', error);
        return gatewayError(500, 'Internal Server Error');
      })
      .then((reply) => {
        res.writeHead(reply.status, { ...reply.headers, 'apigw-requestid': randomUUID(), 'content-length': String(reply.body.length) });
        res.end(reply.body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
