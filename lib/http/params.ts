import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { BadRequestError } from '../errors';
import { fieldErrors } from './zod-errors';

/** Validates the query string; repeated keys arrive comma-joined and fail their schema. */
export function parseQuery<T>(event: APIGatewayProxyEventV2, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new BadRequestError('Invalid query string', fieldErrors(parsed.error));
  return parsed.data;
}

/** Digits only, so "1e3", "0x10" or " 7" are refused rather than read as numbers. */
const positiveId = z
  .string({ error: 'Must be an integer' })
  .regex(/^[1-9][0-9]{0,15}$/, 'Must be an integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'Must be an integer');

/** An integer id from the path. */
export function pathId(event: APIGatewayProxyEventV2, name: string): number {
  const parsed = positiveId.safeParse(event.pathParameters?.[name]);
  if (!parsed.success) throw new BadRequestError('Invalid path', { [name]: parsed.error.issues.map((issue) => issue.message) });
  return parsed.data;
}

/** Query-string ids: digits only, so "1e3" or " 7" are refused rather than coerced. */
export const queryId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'Must be a positive integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'Must be a positive integer');

export const pageLimit = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,4}$/, `Must be an integer from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `Must be an integer from 1 to ${max}`)
    .default(fallback);
