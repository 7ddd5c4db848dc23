import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HeaderBag, QueryParameterBag, SourceData } from '@smithy/types';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account';
import { maxAttachmentBytes } from '../../lib/attachments/policy';

export interface S3EmulatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where objects live; reuse it to keep them across restarts. */
  directory: string;
  buckets: string[];
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  onError?: (message: string, error: unknown) => void;
}

export interface S3Emulator {
  /** Path-style only: clients need forcePathStyle. */
  endpoint: string;
  close(): Promise<void>;
}

/** A POST upload carries the largest attachment plus its form fields. */
const maxPostBodyBytes = maxAttachmentBytes + 1024 * 1024;
/** SigV4's ceiling for X-Amz-Expires: one week. */
const maxPresignedSeconds = 7 * 24 * 60 * 60;
/** S3 refuses header-signed requests whose X-Amz-Date is further off than this. */
const maxClockSkewMs = 15 * 60 * 1000;

/** Lets browser uploads and downloads work locally, as the bucket's CORS rule does in the cloud. */
const corsConfiguration = [
  '<CORSConfiguration><CORSRule>',
  '<AllowedOrigin>*</AllowedOrigin>',
  ...['GET', 'POST', 'PUT', 'HEAD'].map((method) => `<AllowedMethod>${method}</AllowedMethod>`),
  '<AllowedHeader>*</AllowedHeader>',
  '</CORSRule></CORSConfiguration>',
].join('');

/** A refusal, answered as S3 answers: an XML error body. */
class S3Rejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const denied = () => new S3Rejection(403, 'AccessDenied', 'Access Denied');
const badSignature = () =>
  new S3Rejection(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
const policyRefusal = (detail: string) => new S3Rejection(403, 'AccessDenied', `Invalid according to Policy: ${detail}`);
const invalidPolicy = (detail: string) => new S3Rejection(400, 'InvalidPolicyDocument', `Invalid Policy: ${detail}`);

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function toBytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SignatureV4 takes a hash constructor; given a secret it must be an HMAC. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }

  reset(): void {
    this.hash = this.create();
  }
}

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Rejection(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

/** Decoded, repeated names kept; '+' stays literal because SigV4 clients encode spaces as %20. */
function parseQuery(raw: string): QueryParameterBag {
  const query: QueryParameterBag = Object.create(null) as QueryParameterBag;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = decodeComponent(at === -1 ? pair : pair.slice(0, at));
    const value = at === -1 ? '' : decodeComponent(pair.slice(at + 1));
    const prior = query[name];
    query[name] = prior === undefined || prior === null ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return query;
}

const single = (value: string | string[] | null | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** yyyyMMdd'T'HHmmss'Z', as in X-Amz-Date. */
function parseAmzDate(text: string | undefined): Date | undefined {
  const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** Only the headers the client says it signed take part in the signature. */
function signedHeaders(req: IncomingMessage, names: string[]): HeaderBag {
  const headers: HeaderBag = {};
  for (const name of names) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

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

type FieldCondition = { op: 'eq' | 'starts-with'; field: string; value: string; source: unknown };
type RangeCondition = { min: number; max: number };

const isWholeNumber = (value: unknown): value is number | string =>
  (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && /^\d+$/.test(value));

function parseConditions(conditions: unknown[]): { fields: FieldCondition[]; ranges: RangeCondition[] } {
  const fields: FieldCondition[] = [];
  const ranges: RangeCondition[] = [];
  for (const condition of conditions) {
    const invalid = invalidPolicy(`Invalid condition: ${JSON.stringify(condition)}`);
    if (Array.isArray(condition)) {
      const [op, subject, operand] = condition as unknown[];
      const operator = typeof op === 'string' ? op.toLowerCase() : '';
      if (condition.length !== 3) throw invalid;
      if (operator === 'content-length-range' && isWholeNumber(subject) && isWholeNumber(operand)) {
        ranges.push({ min: Number(subject), max: Number(operand) });
      } else if ((operator === 'eq' || operator === 'starts-with') && typeof subject === 'string' && subject.startsWith('$') && typeof operand === 'string') {
        fields.push({ op: operator, field: subject.slice(1).toLowerCase(), value: operand, source: condition });
      } else {
        throw invalid;
      }
    } else if (typeof condition === 'object' && condition !== null && Object.keys(condition).length > 0) {
      for (const [field, value] of Object.entries(condition)) {
        if (typeof value !== 'string') throw invalid;
        fields.push({ op: 'eq', field: field.toLowerCase(), value, source: condition });
      }
    } else {
      throw invalid;
    }
  }
  return { fields, ranges };
}

function holds(condition: FieldCondition, value: string): boolean {
  if (condition.op === 'eq') return value === condition.value;
  // S3 checks each of a comma-separated Content-Type list against the prefix.
  if (condition.field === 'content-type') return value.split(',').every((part) => part.trim().startsWith(condition.value));
  return value.startsWith(condition.value);
}

/**
 * AWS S3 in front of s3rver, on one machine. s3rver takes any SigV4
 * signature and ignores POST policies, so this front checks what S3 checks
 * (POST policies, SigV4 header and query signatures, expiry, anonymous
 * access to private buckets) and forwards everything else unchanged.
 * Path-style addressing only.
 */
export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3Emulator> {
  const reportError = options.onError ?? (() => undefined);
  const { accessKeyId } = options.credentials;
  const signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });

  // s3rver answers InvalidAccessKeyId for any key but its own dummy one; it
  // still checks nothing else of a SigV4 signature, which is why the front exists.
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, options.credentials.secretAccessKey);
  const s3rver = new S3rver({
    address: options.host,
    port: 0,
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [corsConfiguration] })),
  });
  const upstream = await s3rver.run();
  // No pooled sockets: they would keep s3rver's server from closing.
  const agent = new Agent({ keepAlive: false });

  /** The scope must name our key, our region and s3, as S3 insists. */
  function credentialScope(credential: string, malformed: (detail: string) => S3Rejection): { date: Date; region: string } {
    const [key, day, region, service, terminator, ...rest] = credential.split('/');
    const date = parseAmzDate(`${day ?? ''}T000000Z`);
    if (!key || !date || !region || service !== 's3' || terminator !== 'aws4_request' || rest.length > 0) throw malformed(`malformed credential '${credential}'`);
    if (key !== accessKeyId) throw new S3Rejection(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    if (region !== options.region) throw malformed(`the region '${region}' is wrong; expecting '${options.region}'`);
    return { date, region };
  }

  async function checkAuthorizationHeader(req: IncomingMessage, path: string, query: QueryParameterBag, authorization: string): Promise<void> {
    const malformed = (detail: string) => new S3Rejection(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`);
    const parts = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!parts) throw malformed('it needs Credential, SignedHeaders and Signature.');
    const [, credential = '', headerList = '', signature = ''] = parts;
    credentialScope(credential, malformed);
    const signingDate = parseAmzDate(single(req.headers['x-amz-date']));
    if (!signingDate) throw new S3Rejection(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    if (Math.abs(Date.now() - signingDate.getTime()) > maxClockSkewMs) {
      throw new S3Rejection(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
    }
    const names = headerList.split(';');
    // The payload hash comes from x-amz-content-sha256 as claimed; like s3rver, the body is not hashed.
    const signed = await signer.sign(
      { method: req.method ?? 'GET', protocol: 'http:', hostname: '', path, query, headers: signedHeaders(req, names) },
      { signingDate, signableHeaders: new Set(names) },
    );
    const expected = /Signature=([0-9a-f]+)$/.exec(signed.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSignature(expected, signature)) throw badSignature();
  }

  async function checkPresigned(req: IncomingMessage, path: string, query: QueryParameterBag): Promise<void> {
    const malformed = (detail: string) => new S3Rejection(400, 'AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${detail}`);
    const credential = single(query['X-Amz-Credential']);
    const date = single(query['X-Amz-Date']);
    const expires = single(query['X-Amz-Expires']);
    const headerList = single(query['X-Amz-SignedHeaders']);
    const signature = single(query['X-Amz-Signature']);
    if (single(query['X-Amz-Algorithm']) !== 'AWS4-HMAC-SHA256' || !credential || !date || !expires || !headerList || !signature) {
      throw new S3Rejection(
        400,
        'AuthorizationQueryParametersError',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    }
    credentialScope(credential, malformed);
    const signingDate = parseAmzDate(date);
    if (!signingDate) throw new S3Rejection(400, 'AuthorizationQueryParametersError', "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    const expiresIn = /^\d+$/.test(expires) ? Number(expires) : -1;
    if (expiresIn < 0 || expiresIn > maxPresignedSeconds) {
      throw new S3Rejection(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be a whole number of seconds, at most 604800 (a week).');
    }
    if (Date.now() > signingDate.getTime() + expiresIn * 1000) throw new S3Rejection(403, 'AccessDenied', 'Request has expired');

    const names = headerList.split(';');
    const headers = signedHeaders(req, names);
    // Query-signed requests always hash as UNSIGNED-PAYLOAD; the header only
    // feeds that to the signer and must neither be signed nor hoisted.
    if (!names.includes('x-amz-content-sha256')) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const unsigned: QueryParameterBag = { ...query };
    delete unsigned['X-Amz-Signature'];
    const presigned = await signer.presign(
      { method: req.method ?? 'GET', protocol: 'http:', hostname: '', path, query: unsigned, headers },
      {
        signingDate,
        expiresIn,
        signableHeaders: new Set(names),
        unsignableHeaders: new Set(['x-amz-content-sha256']),
        unhoistableHeaders: new Set([...names, 'x-amz-content-sha256']),
      },
    );
    if (!sameSignature(single(presigned.query?.['X-Amz-Signature']) ?? '', signature)) throw badSignature();
  }

  /** What S3 checks of a browser POST upload before it stores anything. */
  async function checkPostPolicy(form: FormData, bucket: string): Promise<void> {
    const fields = new Map<string, { name: string; value: string }>();
    let fileBytes: number | undefined;
    for (const [name, value] of form) {
      if (name === 'file') {
        fileBytes = typeof value === 'string' ? Buffer.byteLength(value) : value.size;
        break; // S3 ignores every field after the file.
      }
      fields.set(name.toLowerCase(), { name, value: typeof value === 'string' ? value : await value.text() });
    }
    const field = (name: string) => fields.get(name.toLowerCase())?.value;
    const required = (name: string) => {
      const value = field(name);
      if (value === undefined) throw new S3Rejection(400, 'InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`);
      return value;
    };

    const policy = field('Policy');
    if (policy === undefined) throw denied(); // An anonymous upload into a private bucket.
    const key = required('key');
    if (key === '') throw new S3Rejection(400, 'InvalidArgument', 'User key must have a length greater than 0.');
    if (required('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw new S3Rejection(400, 'InvalidArgument', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    const scope = credentialScope(required('X-Amz-Credential'), (detail) => new S3Rejection(400, 'InvalidArgument', `Invalid X-Amz-Credential: ${detail}`));
    required('X-Amz-Date');
    const signature = required('X-Amz-Signature');
    if (fileBytes === undefined) throw new S3Rejection(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');

    // The signature covers the base64 text itself: HMAC(signing key of the credential's scope, Policy).
    const expected = await signer.sign(policy, { signingDate: scope.date, signingRegion: scope.region, signingService: 's3' });
    if (!sameSignature(expected, signature.toLowerCase())) throw badSignature();

    let document: unknown;
    try {
      document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
    } catch {
      throw invalidPolicy('Invalid JSON.');
    }
    if (typeof document !== 'object' || document === null) throw invalidPolicy('Invalid JSON.');
    const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
    if (typeof expiration !== 'string') throw invalidPolicy('Policy missing expiration.');
    if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');
    const expiresAt = Date.parse(expiration);
    if (Number.isNaN(expiresAt)) throw invalidPolicy(`Invalid 'expiration' value: '${expiration}'`);
    if (Date.now() > expiresAt) throw policyRefusal('Policy expired.');
    const parsed = parseConditions(conditions);

    const covered = new Set(parsed.fields.map((condition) => condition.field));
    for (const [lower, { name }] of fields) {
      if (lower === 'policy' || lower === 'x-amz-signature' || lower.startsWith('x-ignore-')) continue;
      if (!covered.has(lower)) throw policyRefusal(`Extra input fields: ${name}`);
    }
    for (const condition of parsed.fields) {
      // The bucket is the one addressed, whatever a form field claims.
      const value = condition.field === 'bucket' ? bucket : (field(condition.field) ?? '');
      if (!holds(condition, value)) throw policyRefusal(`Policy Condition failed: ${JSON.stringify(condition.source)}`);
    }
    for (const range of parsed.ranges) {
      if (fileBytes > range.max) throw new S3Rejection(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      if (fileBytes < range.min) throw new S3Rejection(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
    }
  }

  function forward(req: IncomingMessage, res: ServerResponse, body?: Buffer): void {
    const headers = withoutHopByHop(req.headers);
    if (body) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    const toS3rver = httpRequest({ agent, host: upstream.address, port: upstream.port, method: req.method, path: req.url, headers });
    toS3rver.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
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
      // The buckets' CORS rule allows any origin, so a browser may read the refusal.
      ...(req.headers.origin ? { 'access-control-allow-origin': '*' } : {}),
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = parseQuery(queryAt === -1 ? '' : url.slice(queryAt + 1));
    const method = (req.method ?? 'GET').toUpperCase();

    // CORS preflights carry no credentials in S3 either; s3rver answers them from the bucket's rule.
    if (method === 'OPTIONS') return forward(req, res);

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
      await checkPostPolicy(form, decodeComponent(postBucket));
      return forward(req, res, body);
    }

    const authorization = single(req.headers.authorization);
    const queryV4 = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'].some((name) => name in query);
    const queryV2 = 'Signature' in query || 'AWSAccessKeyId' in query;
    if ([authorization !== undefined, queryV4, queryV2].filter(Boolean).length > 1) {
      throw new S3Rejection(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
    }
    if (queryV2 || authorization?.startsWith('AWS ')) {
      throw new S3Rejection(400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    if (queryV4) await checkPresigned(req, path, query);
    else if (authorization !== undefined) await checkAuthorizationHeader(req, path, query, authorization);
    else throw denied(); // The buckets are private, as in the cloud.
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
