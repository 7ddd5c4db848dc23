import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HeaderBag, QueryParameterBag, SourceData } from '@smithy/types';

// What AWS S3 checks of a request before it acts, as pure functions of the request: POST policies,
// SigV4 header and query signatures, expiry, anonymous access to private buckets. The server in
// ./s3-emulator.ts runs them in front of s3rver, which checks none of it (docs/ARCHITECTURE.md, "The local stack").

/** SigV4's ceiling for X-Amz-Expires: one week. */
const maxPresignedSeconds = 7 * 24 * 60 * 60;
/** S3 refuses header-signed requests whose X-Amz-Date is further off than this. */
const maxClockSkewMs = 15 * 60 * 1000;

/** A refusal, answered as S3 answers: an XML error body. */
export class S3Rejection extends Error {
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

export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Rejection(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

/** Decoded, repeated names kept; '+' stays literal because SigV4 clients encode spaces as %20. */
export function parseQuery(raw: string): QueryParameterBag {
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
function signedHeaders(requestHeaders: IncomingHttpHeaders, names: string[]): HeaderBag {
  const headers: HeaderBag = {};
  for (const name of names) {
    const value = requestHeaders[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
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

/** A request as the checks see it: the path without its query, the query decoded (parseQuery). */
export interface SignedRequest {
  method: string | undefined;
  path: string;
  query: QueryParameterBag;
  headers: IncomingHttpHeaders;
}

export interface S3ChecksOptions {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The clock expiry and skew are judged by; Date.now unless a test sets it. */
  now?: () => number;
}

export interface S3Checks {
  /** A request signed in its Authorization header or its query, as the only mechanism; anonymous is denied. */
  checkSignedRequest(request: SignedRequest): Promise<void>;
  /** What S3 checks of a browser POST upload before it stores anything. */
  checkPostPolicy(form: FormData, bucket: string): Promise<void>;
}

/** The checks for one region and one key pair; each throws the S3Rejection S3 would answer. */
export function s3Checks(options: S3ChecksOptions): S3Checks {
  const { accessKeyId } = options.credentials;
  const now = options.now ?? Date.now;
  const signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });

  /** The scope must name our key, our region and s3, as S3 insists. */
  function credentialScope(credential: string, malformed: (detail: string) => S3Rejection): { date: Date; region: string } {
    const [key, day, region, service, terminator, ...rest] = credential.split('/');
    const date = parseAmzDate(`${day ?? ''}T000000Z`);
    if (!key || !date || !region || service !== 's3' || terminator !== 'aws4_request' || rest.length > 0) throw malformed(`malformed credential '${credential}'`);
    if (key !== accessKeyId) throw new S3Rejection(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    if (region !== options.region) throw malformed(`the region '${region}' is wrong; expecting '${options.region}'`);
    return { date, region };
  }

  async function checkAuthorizationHeader(req: SignedRequest, authorization: string): Promise<void> {
    const malformed = (detail: string) => new S3Rejection(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`);
    const parts = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!parts) throw malformed('it needs Credential, SignedHeaders and Signature.');
    const [, credential = '', headerList = '', signature = ''] = parts;
    credentialScope(credential, malformed);
    const signingDate = parseAmzDate(single(req.headers['x-amz-date']));
    if (!signingDate) throw new S3Rejection(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    if (Math.abs(now() - signingDate.getTime()) > maxClockSkewMs) {
      throw new S3Rejection(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
    }
    const names = headerList.split(';');
    // The payload hash comes from x-amz-content-sha256 as claimed; like s3rver, the body is not hashed.
    const signed = await signer.sign(
      { method: req.method ?? 'GET', protocol: 'http:', hostname: '', path: req.path, query: req.query, headers: signedHeaders(req.headers, names) },
      { signingDate, signableHeaders: new Set(names) },
    );
    const expected = /Signature=([0-9a-f]+)$/.exec(signed.headers.authorization ?? '')?.[1] ?? '';
    if (!sameSignature(expected, signature)) throw badSignature();
  }

  async function checkPresigned(req: SignedRequest): Promise<void> {
    const { query } = req;
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
    if (now() > signingDate.getTime() + expiresIn * 1000) throw new S3Rejection(403, 'AccessDenied', 'Request has expired');

    const names = headerList.split(';');
    const headers = signedHeaders(req.headers, names);
    // Query-signed requests always hash as UNSIGNED-PAYLOAD; the header only
    // feeds that to the signer and must neither be signed nor hoisted.
    if (!names.includes('x-amz-content-sha256')) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const unsigned: QueryParameterBag = { ...query };
    delete unsigned['X-Amz-Signature'];
    const presigned = await signer.presign(
      { method: req.method ?? 'GET', protocol: 'http:', hostname: '', path: req.path, query: unsigned, headers },
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

  async function checkSignedRequest(req: SignedRequest): Promise<void> {
    const { query } = req;
    const authorization = single(req.headers.authorization);
    const queryV4 = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'].some((name) => name in query);
    const queryV2 = 'Signature' in query || 'AWSAccessKeyId' in query;
    if ([authorization !== undefined, queryV4, queryV2].filter(Boolean).length > 1) {
      throw new S3Rejection(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
    }
    if (queryV2 || authorization?.startsWith('AWS ')) {
      throw new S3Rejection(400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    }
    if (queryV4) await checkPresigned(req);
    else if (authorization !== undefined) await checkAuthorizationHeader(req, authorization);
    else throw denied(); // The buckets are private, as in the cloud.
  }

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
    if (now() > expiresAt) throw policyRefusal('Policy expired.');
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

  return { checkSignedRequest, checkPostPolicy };
}

/** A bucket CORS rule, as in PutBucketCors. */
export interface CorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders?: readonly string[];
  readonly maxAgeSeconds?: number;
}

const corsVary = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/** S3's wildcard: one `*` standing for any characters, case-insensitive for headers, exact for origins. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, ignoreCase ? 'i' : '').test(value);
}

function matchingRule(rules: readonly CorsRule[], origin: string, method: string, requestHeaders: readonly string[]): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((allowed) => wildcardMatch(allowed, origin, false)) &&
      rule.allowedMethods.includes(method) &&
      requestHeaders.every((header) => rule.allowedHeaders.some((allowed) => wildcardMatch(allowed, header, true))),
  );
}

function ruleHeaders(rule: CorsRule, origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': rule.allowedOrigins.includes('*') ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(rule.exposedHeaders?.length ? { 'access-control-expose-headers': rule.exposedHeaders.join(', ') } : {}),
    ...(rule.maxAgeSeconds !== undefined ? { 'access-control-max-age': String(rule.maxAgeSeconds) } : {}),
    'access-control-allow-credentials': 'true',
    vary: corsVary,
  };
}

/**
 * S3's answer to a CORS preflight (OPTIONS), decided by the bucket's rules before any signature check:
 * the headers of a 200, or the refusal S3 sends.
 */
export function corsPreflight(rules: readonly CorsRule[], headers: IncomingHttpHeaders): Record<string, string> {
  const origin = single(headers.origin);
  const method = single(headers['access-control-request-method']);
  if (!origin) throw new S3Rejection(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
  if (!method) throw new S3Rejection(400, 'BadRequest', 'Invalid Access-Control-Request-Method: null');
  const requested = (single(headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter((header) => header !== '');
  const rule = matchingRule(rules, origin, method, requested);
  if (!rule) {
    throw new S3Rejection(
      403,
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  }
  return { ...ruleHeaders(rule, origin), ...(requested.length ? { 'access-control-allow-headers': requested.join(', ') } : {}) };
}

/** The CORS headers S3 adds to an ordinary request's answer (success or error): none unless a rule matches. */
export function corsResponseHeaders(rules: readonly CorsRule[], method: string, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = single(headers.origin);
  if (!origin) return {};
  const rule = matchingRule(rules, origin, method, []);
  return rule ? ruleHeaders(rule, origin) : {};
}
