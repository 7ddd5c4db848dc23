import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type * as z from '../validation';
import { identityFromContext } from '../auth/context';
import { resolveDeps, type Deps, type DepsSource } from '../deps';
import type { Principal } from '../entities/principal';
import { AppError, BadRequestError, ForbiddenError, UnauthorizedError, type FieldErrors } from '../errors';
import { fieldErrors } from '../http/zod-errors';
import { limits } from '../limits';
import type { Logger } from '../log';
import { wsAdmits, type WsRouteSpec } from '../routes';

/** WebSocket events as API Gateway delivers them, with the $connect authorizer's context. */
export type WsEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & { authorizer?: Record<string, unknown> };
  queryStringParameters?: Record<string, string | undefined>;
  /** $connect only: the handshake's headers. */
  headers?: Record<string, string | undefined>;
};

export interface WsResponse {
  statusCode: number;
  body?: string;
  /** $connect only: API Gateway adds these to the handshake response (Sec-WebSocket-Protocol). */
  headers?: Record<string, string>;
}

export interface ResultFrame {
  type: 'result';
  action: string;
  request_id: string | null;
  [field: string]: unknown;
}

export interface ErrorFrame {
  type: 'error';
  action: string | null;
  request_id: string | null;
  status: number;
  error: string;
  errors?: FieldErrors;
}

export function principalOf(event: WsEvent): Principal | undefined {
  const identity = identityFromContext(event.requestContext.authorizer);
  return identity.kind === 'principal' ? identity.principal : undefined;
}

/** What a frame that is not a JSON object gets (README "Admin WebSocket", Frames); as the HTTP body errors. */
export const frameErrors = {
  malformed: 'Malformed JSON frame',
  notObject: 'Frame must be a JSON object',
  invalid: 'Invalid frame',
} as const;

export function parseFrame(body: string | undefined): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new BadRequestError(frameErrors.malformed);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError(frameErrors.notObject);
  return value as Record<string, unknown>;
}

export function echoRequestId(frame: Record<string, unknown> | undefined): string | null {
  const value = frame?.request_id;
  return typeof value === 'string' && value.length <= limits.requestIdMaxChars ? value : null;
}

export function errorFrame(error: unknown, action: string | null, requestId: string | null, log: Logger): ErrorFrame {
  if (error instanceof AppError) {
    if (error.status >= 500) log.error('action failed', { error, cause: error.cause });
    const frame: ErrorFrame = { type: 'error', action, request_id: requestId, status: error.status, error: error.message };
    if (error.errors) frame.errors = error.errors;
    return frame;
  }
  log.error('unhandled error', { error });
  return { type: 'error', action, request_id: requestId, status: 500, error: 'Internal server error' };
}

/** The route response: API Gateway sends this body back to the caller's socket. */
export const reply = (frame: ResultFrame | ErrorFrame): WsResponse => ({ statusCode: 200, body: JSON.stringify(frame) });

export interface WsContext<T> {
  deps: Deps;
  principal: Principal;
  input: T;
  connectionId: string;
  log: Logger;
}

/**
 * Wraps a WebSocket action: parse the frame, check the caller, validate, run,
 * and answer with a result or error frame carrying the caller's request_id.
 */
export function wsAction<T>(
  spec: WsRouteSpec,
  source: DepsSource,
  schema: z.ZodMiniType<T>,
  run: (ctx: WsContext<T>) => Promise<Record<string, unknown>>,
): (event: WsEvent) => Promise<WsResponse> {
  return async (event) => {
    const deps = resolveDeps(source);
    const log = deps.log.child({ route: spec.name, connectionId: event.requestContext.connectionId });
    const action = spec.routeKey.startsWith('$') ? null : spec.routeKey;
    let frame: Record<string, unknown> | undefined;
    try {
      frame = parseFrame(event.body);
      const principal = principalOf(event);
      if (!principal) throw new UnauthorizedError();
      if (!wsAdmits(spec.auth, principal.kind)) throw new ForbiddenError(`This action requires ${spec.auth === 'admin' ? 'an admin' : 'a store'} token`);
      const parsed = schema.safeParse(frame);
      if (!parsed.success) throw new BadRequestError(frameErrors.invalid, fieldErrors(parsed.error));
      const result = await run({ deps, principal, input: parsed.data, connectionId: event.requestContext.connectionId, log });
      return reply({ type: 'result', action: action ?? '', request_id: echoRequestId(frame), ...result });
    } catch (error) {
      return reply(errorFrame(error, action, echoRequestId(frame), log));
    }
  };
}
