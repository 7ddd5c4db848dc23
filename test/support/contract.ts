/**
 * The end-to-end suite enforces the generated contracts (README "Contracts"; issue 14, point 4): every
 * HTTP response and every WebSocket frame a test receives is checked here against docs/openapi.json and
 * docs/asyncapi.json, as committed (test/unit/contracts.test.ts keeps them current). The harness
 * (harness.ts, hostile.ts) and the socket clients (harness.ts, raw-socket.ts, store-socket.ts,
 * frame-socket.ts) call it; nothing else decides what the contract allows.
 *
 * A broken HTTP response throws from the call that received it; a broken frame is recorded when it
 * arrives and fails the running test in afterEach (a socket's 'message' listener has no test to throw to).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv7, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The one switch: false turns every check below off (README "Contracts"). */
export const enforceContract = true;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const docs = join(__dirname, '..', '..', 'docs');
const readJson = (file: string) => JSON.parse(readFileSync(join(docs, file), 'utf8')) as JsonObject;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One document's component schemas under `base`, and a compiler for any schema of that document. */
function compilerFor(document: JsonObject, ajv: Ajv7, base: string): (schema: Json) => ValidateFunction {
  const local = '#/components/schemas/';
  const rewrite = (schema: Json, prefix: string): Json => {
    if (Array.isArray(schema)) return schema.map((item) => rewrite(item, prefix));
    if (!isObject(schema)) return schema;
    return Object.fromEntries(
      Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith(local) ? `${prefix}${value.slice(local.length)}` : rewrite(value, prefix)]),
    );
  };
  const components = (document.components as JsonObject).schemas as JsonObject;
  ajv.addSchema({ $id: base, $defs: rewrite(components, '#/$defs/') });
  const cache = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(rewrite(schema, `${base}#/$defs/`) as JsonObject);
      cache.set(key, validate);
    }
    return validate;
  };
}

/** OpenAPI 3.1 schemas are JSON Schema 2020-12; AsyncAPI 3.0's default schema format is draft-07. */
const newAjv = <T extends Ajv7>(ajv: T): T => {
  addFormats(ajv);
  return ajv;
};

let loaded: ReturnType<typeof load> | undefined;
function load() {
  const openapi = readJson('openapi.json');
  const asyncapi = readJson('asyncapi.json');
  const httpSchema = compilerFor(openapi, newAjv(new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true })), 'contract:openapi');
  const wsSchema = compilerFor(asyncapi, newAjv(new Ajv7({ strict: true, allErrors: true, allowUnionTypes: true })), 'contract:asyncapi');
  const headers = (openapi.components as JsonObject).headers as JsonObject;
  const operations = Object.entries(openapi.paths as JsonObject).flatMap(([template, item]) =>
    Object.entries(item as JsonObject).map(([method, operation]) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\/$/, '').replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-z_]+\}/g, '[^/]+')}/?$`),
      method: method.toUpperCase(),
      id: (operation as JsonObject).operationId as string,
      responses: (operation as JsonObject).responses as JsonObject,
    })),
  );
  const defaultRoute = openapi['x-default-route'] as JsonObject;
  // The server's frames: the replies of `send` operations and the messages of `receive` ones, by name.
  const channelMessages = ((asyncapi.channels as JsonObject).socket as JsonObject).messages as JsonObject;
  const messageAt = (ref: Json) => channelMessages[((ref as JsonObject).$ref as string).split('/').at(-1)!] as JsonObject;
  const serverMessages = new Map<string, JsonObject>();
  for (const operation of Object.values(asyncapi.operations as JsonObject) as JsonObject[]) {
    const refs = operation.action === 'receive' ? (operation.messages as Json[]) : (((operation.reply as JsonObject | undefined)?.messages as Json[] | undefined) ?? []);
    for (const message of refs.map(messageAt)) serverMessages.set(message.name as string, message);
  }
  return { httpSchema, wsSchema, headers, operations, defaultRoute, serverMessages };
}
const contract = () => (loaded ??= load());

/* ------------------------------------------------------------------ */
/* Violations                                                          */
/* ------------------------------------------------------------------ */

const violations: string[] = [];

export class ContractViolation extends Error {}

function violated(message: string): ContractViolation {
  violations.push(message);
  return new ContractViolation(message);
}

/** Fails the test during which a frame broke the contract (afterEach), or the file (afterAll). */
function failOnViolations(): void {
  const found = violations.splice(0);
  if (found.length > 0) throw new ContractViolation(`${found.length} answer(s) broke the contract (docs/*.json):\n${found.join('\n')}`);
}
if (typeof afterEach === 'function') {
  afterEach(failOnViolations);
  afterAll(failOnViolations);
}

const schemaErrors = (validate: ValidateFunction) =>
  (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''}${error.keyword === 'additionalProperties' ? ` (${JSON.stringify(error.params)})` : ''}`).join('; ');
const excerpt = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}…` : text);

/* ------------------------------------------------------------------ */
/* HTTP                                                                */
/* ------------------------------------------------------------------ */

/**
 * Node's HTTP parser refuses headers over its limit (16 KB) with 431 and no body before any route runs
 * (CloudFront has its own limit deployed): an answer of the server, not of the API the contract describes.
 */
const refusedBeforeTheApi = (exchange: HttpExchange) => exchange.status === 431 && exchange.text === '';

export interface HttpExchange {
  method: string;
  /** What followed the origin: the path, with or without a query string. */
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

/**
 * Checks one HTTP answer: the operation by method and path template (or the `$default` route, the
 * contract's `x-default-route`), the status documented for it, its required headers, a JSON content
 * type, and the body against that status's schema (no undocumented field: the schemas close every object).
 * Throws a ContractViolation naming the operation, the status and the schema error.
 */
export function checkHttp(exchange: HttpExchange): void {
  if (!enforceContract) return;
  const { operations, defaultRoute, httpSchema, headers: sharedHeaders } = contract();
  const method = exchange.method.toUpperCase();
  // As fetch sends it: dot segments resolved, the query dropped.
  const path = new URL(exchange.path, 'http://contract.invalid').pathname;
  const onPath = operations.filter((operation) => operation.pattern.test(path));
  const operation = onPath.find((candidate) => candidate.method === method);
  const label = operation ? `${operation.id} (${method} ${operation.template})` : `$default (${method} ${path})`;
  const responses = operation?.responses ?? (defaultRoute.responses as JsonObject);
  const status = String(exchange.status);
  if (refusedBeforeTheApi(exchange)) return;
  const fail = (problem: string) => {
    throw violated(`${label} answered ${status}: ${problem}\n  body: ${excerpt(exchange.text)}`);
  };

  const response = responses[status] as JsonObject | undefined;
  if (!response) fail(`status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`);
  if (!operation && status === '404' && onPath.length > 0) fail(`the path exists (${onPath.map((o) => o.method).join(', ')}): the $default route answers 405 here`);
  if (!operation && status === '405') {
    if (onPath.length === 0) fail('no operation has this path: the $default route answers 404 here');
    const allow = (exchange.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort();
    const documented = [...new Set(onPath.map((o) => o.method))].sort();
    if (allow.join(',') !== documented.join(',')) fail(`Allow is "${exchange.headers.get('allow') ?? ''}", the path's methods are ${documented.join(', ')}`);
  }

  for (const [name, header] of Object.entries((response!.headers as JsonObject | undefined) ?? {})) {
    const spec = (isObject(header) && typeof header.$ref === 'string' ? sharedHeaders[header.$ref.split('/').at(-1)!] : header) as JsonObject;
    const value = exchange.headers.get(name);
    if (value === null) {
      if (spec.required === true) fail(`the ${name} header is missing`);
      continue;
    }
    const schema = spec.schema as JsonObject;
    const typed = schema.type === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
    const validate = httpSchema(schema);
    if (!validate(typed)) fail(`the ${name} header "${value}" breaks its schema: ${schemaErrors(validate)}`);
  }

  const media = ((response!.content as JsonObject | undefined) ?? {})['application/json'] as JsonObject | undefined;
  // A HEAD answer has no body (RFC 9110): only its status and headers are the contract's.
  if (!media || method === 'HEAD') return;
  const contentType = exchange.headers.get('content-type') ?? '';
  if (!/^application\/json\b/.test(contentType)) fail(`content-type is "${contentType}", not application/json`);
  let body: unknown;
  try {
    body = JSON.parse(exchange.text) as unknown;
  } catch {
    fail('the body is not JSON');
  }
  const validate = httpSchema(media.schema as Json);
  if (!validate(body)) fail(`the body breaks ${JSON.stringify((media.schema as JsonObject).$ref ?? 'its schema')}: ${schemaErrors(validate)}`);
}

/* ------------------------------------------------------------------ */
/* WebSocket                                                           */
/* ------------------------------------------------------------------ */

/**
 * Checks one frame the server sent against the AsyncAPI server messages: a result frame against its
 * action's `<action>.result`, an error frame against `<action>.error` (or `frameError` when the action is
 * none or unknown) with a status one of that message's examples documents, any other frame against the
 * event named by its `type`. Records a violation (failing the running test) and returns its text.
 */
export function checkFrame(frame: unknown, where = 'a socket'): string | undefined {
  if (!enforceContract) return undefined;
  const { serverMessages, wsSchema } = contract();
  const problem = (() => {
    if (!isObject(frame)) return { name: '(none)', text: 'the frame is not a JSON object' };
    const type = frame.type;
    if (typeof type !== 'string') return { name: '(none)', text: 'the frame has no string "type"' };
    const action = typeof frame.action === 'string' ? frame.action : undefined;
    const name =
      type === 'result' ? `${action ?? '(no action)'}.result` : type === 'error' ? (action && serverMessages.has(`${action}.error`) ? `${action}.error` : 'frameError') : type;
    const message = serverMessages.get(name);
    if (!message) return { name, text: `no server message "${name}" in the contract` };
    const validate = wsSchema(message.payload as Json);
    if (!validate(frame)) return { name, text: `breaks the payload: ${schemaErrors(validate)}` };
    if (type === 'error') {
      const statuses = new Set(((message.examples as JsonObject[] | undefined) ?? []).map((example) => (example.payload as JsonObject).status as number));
      if (!statuses.has(frame.status as number)) return { name, text: `status ${JSON.stringify(frame.status)} is not documented (documented: ${[...statuses].join(', ')})` };
    }
    return undefined;
  })();
  if (!problem) return undefined;
  const text = `${problem.name} frame on ${where}: ${problem.text}\n  frame: ${excerpt(typeof frame === 'string' ? frame : JSON.stringify(frame))}`;
  violated(text);
  return text;
}
