import * as z from '../validation';

/** Length in Unicode code points, so an emoji counts once. */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * A string field with a code-point limit that refuses lone surrogates, which
 * cannot be stored as UTF-8 and would not round-trip.
 */
export function textField(maxChars: number) {
  const field = z
    .string({ error: 'Must be a string' })
    .check(
      z.refine((value) => value.isWellFormed(), 'Must be valid Unicode text'),
      z.refine((value) => codePointLength(value) <= maxChars, `Must be at most ${maxChars} characters`),
    );
  // For the generated contracts (README "Contracts"): JSON Schema's maxLength counts code points too. Metadata only.
  z.globalRegistry.add(field, { maxLength: maxChars });
  return field;
}

export function isBlank(value: string | null | undefined): boolean {
  return value === undefined || value === null || value.trim() === '';
}
