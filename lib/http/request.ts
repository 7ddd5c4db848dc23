import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from '../validation';
import { BadRequestError, PayloadTooLargeError } from '../errors';
import { limits } from '../limits';
import { fieldErrors } from './zod-errors';

function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > limits.httpBodyMaxBytes) throw new PayloadTooLargeError();
  return bytes.toString('utf8');
}

/**
 * Parses and validates a JSON object body. An empty body counts as {} so the
 * schema, not the parser, reports what is missing. Content-Type is not
 * policed: tokens travel in a header, not cookies, so there is no CSRF to
 * stop, and a JSON body sent as text/plain is still a JSON body.
 */
export function parseJsonBody<T>(event: APIGatewayProxyEventV2, schema: z.ZodMiniType<T>): T {
  const text = rawBody(event);
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw new BadRequestError('Malformed JSON body');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('Request body must be a JSON object');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError('Invalid request body', fieldErrors(parsed.error));
  return parsed.data;
}
