import type * as z from '../validation';
import type { FieldErrors } from '../errors';

/** Flattens zod issues to {"field": ["message"]}; nested paths use dots, e.g. "messages.2.content". */
export function fieldErrors(error: z.core.$ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
