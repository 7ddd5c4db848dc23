import * as z from '../validation';
import { BadRequestError } from '../errors';

/** Opaque page cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(raw: string | undefined, schema: z.ZodMiniType<T>): T | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError('Invalid query string', { cursor: ['Is not a cursor this endpoint issued'] });
  return parsed.data;
}

export const cursorText = z.string().check(z.maxLength(512, 'Is not a cursor this endpoint issued'));
