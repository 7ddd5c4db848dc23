import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, type FieldErrors } from '../errors';
import type { Logger } from '../log';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const baseHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(statusCode: number, payload: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...baseHeaders, ...headers }, body: JSON.stringify(payload) };
}

/** The project's one error envelope. */
export interface ErrorBody {
  error: string;
  errors?: FieldErrors;
}

export function errorBody(error: AppError): ErrorBody {
  return error.errors && Object.keys(error.errors).length > 0 ? { error: error.message, errors: error.errors } : { error: error.message };
}

/**
 * Maps any thrown value to a response. AppErrors carry client-safe messages;
 * everything else is logged with its stack and answered generically.
 */
export function errorResponse(error: unknown, log: Logger): HttpResponse {
  if (error instanceof AppError) {
    if (error.status >= 500) log.error('request failed', { status: error.status, error, cause: error.cause });
    return jsonResponse(error.status, errorBody(error), error.headers);
  }
  log.error('unhandled error', { error });
  return jsonResponse(500, { error: 'Internal server error' });
}
