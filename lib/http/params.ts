import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from '../validation';
import { BadRequestError } from '../errors';
import { integerText } from './integers';
import { fieldErrors } from './zod-errors';

/** Validates the query string; repeated keys arrive comma-joined and fail their schema. */
export function parseQuery<T>(event: APIGatewayProxyEventV2, schema: z.ZodMiniType<T>): T {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw new BadRequestError('Invalid query string', fieldErrors(parsed.error));
  return parsed.data;
}

/** Ids in paths and query strings (see integers.ts for the wording). */
const positiveId = integerText();

/** An integer id from the path. */
export function pathId(event: APIGatewayProxyEventV2, name: string): number {
  const parsed = positiveId.safeParse(event.pathParameters?.[name]);
  if (!parsed.success) throw new BadRequestError('Invalid path', { [name]: parsed.error.issues.map((issue) => issue.message) });
  return parsed.data;
}

/** Query-string ids: digits only, so "1e3" or " 7" are refused rather than coerced. */
export const queryId = positiveId;

export const pageLimit = (fallback: number, max: number) => z._default(integerText({ max, range: `Must be an integer from 1 to ${max}` }), fallback);
