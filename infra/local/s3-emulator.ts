import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account';
import { maxAttachmentBytes } from '../../lib/attachments/policy';
import { uploadCorsRule } from '../console-headers';
import { corsPreflight, corsResponseHeaders, decodeComponent, parseQuery, S3Rejection, s3Checks, type CorsRule } from './s3-checks';

export interface S3EmulatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where objects live; reuse it to keep them across restarts. */
  directory: string;
  buckets: string[];
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * The origins the buckets' CORS rule allows (the console's), read at each request: the local stack knows its
   * edge's port only after this starts. None by default: every cross-origin request is refused, as S3 does
   * without a matching rule.
   */
  corsOrigins?: () => readonly string[];
  onError?: (message: string, error: unknown) => void;
}

export interface S3Emulator {
  /** Path-style only: clients need forcePathStyle. */
  endpoint: string;
  close(): Promise<void>;
}

/** A POST upload carries the largest attachment plus its form fields. */
const maxPostBodyBytes = maxAttachmentBytes + 1024 * 1024;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Each leg keeps its own connection; a 'connection: close' from s3rver must not close the client's. */
function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  delete copy.connection;
  delete copy['keep-alive'];
  return copy;
}

function readCapped(req: IncomingMessage, cap: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining past the cap so the client reads our answer instead of a reset.
      if (size <= cap) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > cap ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * AWS S3 in front of s3rver, on one machine. s3rver takes any SigV4
 * signature and ignores POST policies, so this front runs what S3 checks
 * (./s3-checks.ts: POST policies, SigV4 header and query signatures, expiry,
 * anonymous access to private buckets) and forwards everything else
 * unchanged. Path-style addressing only.
 */
export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3Emulator> {
  const reportError = options.onError ?? (() => undefined);
  const { accessKeyId } = options.credentials;
  const checks = s3Checks({ region: options.region, credentials: options.credentials });

  // s3rver answers InvalidAccessKeyId for any key but its own dummy one; it
  // still checks nothing else of a SigV4 signature, which is why the front exists.
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, options.credentials.secretAccessKey);
  const s3rver = new S3rver({
    address: options.host,
    port: 0,
    silent: true,
    directory: options.directory,
    // No CORS configuration in s3rver: the front answers CORS itself, with the deployed bucket's rule.
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  const upstream = await s3rver.run();
  const corsRules = (): CorsRule[] => {
    const origins = options.corsOrigins?.() ?? [];
    return origins.length ? [{ ...uploadCorsRule, allowedOrigins: origins }] : [];
  };
  const isCorsHeader = (name: string) => name.startsWith('access-control-') || name === 'vary';
  // No pooled sockets: they would keep s3rver's server from closing.
  const agent = new Agent({ keepAlive: false });

  function forward(req: IncomingMessage, res: ServerResponse, body?: Buffer): void {
    const headers = withoutHopByHop(req.headers);
    if (body) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    const toS3rver = httpRequest({ agent, host: upstream.address, port: upstream.port, method: req.method, path: req.url, headers });
    toS3rver.on('response', (answer) => {
      const headers = Object.fromEntries(Object.entries(withoutHopByHop(answer.headers)).filter(([name]) => !isCorsHeader(name)));
      res.writeHead(answer.statusCode ?? 502, { ...headers, ...corsResponseHeaders(corsRules(), req.method ?? 'GET', req.headers) });
      answer.pipe(res);
    });
    toS3rver.on('error', (error) => {
      reportError('s3rver request failed', error);
      if (!res.headersSent) sendError(req, res, new S3Rejection(500, 'InternalError', 'We encountered an internal error. Please try again.'));
      else res.destroy();
    });
    // A client that hangs up mid-transfer must not leave s3rver waiting for the rest.
    res.on('close', () => {
      if (!res.writableFinished) toS3rver.destroy();
    });
    if (body) toS3rver.end(body);
    else req.pipe(toS3rver);
  }

  function sendError(req: IncomingMessage, res: ServerResponse, rejection: S3Rejection): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${rejection.code}</Code><Message>${escapeXml(rejection.message)}</Message></Error>`;
    res.writeHead(rejection.status, {
      'content-type': 'application/xml',
      'content-length': String(Buffer.byteLength(body)),
      // S3 applies the CORS rule to errors too: the console reads why its upload was refused.
      ...(req.method === 'OPTIONS' ? {} : corsResponseHeaders(corsRules(), req.method ?? 'GET', req.headers)),
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = parseQuery(queryAt === -1 ? '' : url.slice(queryAt + 1));
    const method = (req.method ?? 'GET').toUpperCase();

    // CORS preflights carry no credentials; S3 answers them from the bucket's rule alone.
    if (method === 'OPTIONS') {
      const headers = corsPreflight(corsRules(), req.headers);
      res.writeHead(200, { ...headers, 'content-length': '0' }).end();
      return;
    }

    const postBucket = /^\/([^/]+)\/?$/.exec(path)?.[1];
    if (method === 'POST' && postBucket && queryAt === -1 && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
      const body = await readCapped(req, maxPostBodyBytes);
      if (body === 'too-large') throw new S3Rejection(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      let form: FormData;
      try {
        form = await new Response(new Uint8Array(body.buffer, body.byteOffset, body.length), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      } catch {
        throw new S3Rejection(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
      }
      await checks.checkPostPolicy(form, decodeComponent(postBucket));
      return forward(req, res, body);
    }

    await checks.checkSignedRequest({ method: req.method, path, query, headers: req.headers });
    forward(req, res);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Drain what the client still sends so it reads the refusal.
      req.resume();
      if (error instanceof S3Rejection) return sendError(req, res, error);
      reportError('s3 emulator failure', error);
      sendError(req, res, new S3Rejection(500, 'InternalError', 'We encountered an internal error. Please try again.'));
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await s3rver.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://${options.host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
      s3rver.httpServer?.closeAllConnections();
      await s3rver.close();
    },
  };
}
