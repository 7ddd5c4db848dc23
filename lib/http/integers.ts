import * as z from '../validation';

/**
 * Integer fields of bodies, query strings, paths and WebSocket frames, with one
 * wording everywhere (README "Errors"). Above 2^53 − 1 JSON numbers lose
 * precision (9007199254740993 parses as 9007199254740992), so such a value
 * is refused as too large, not mistaken for another id or called "not an
 * integer".
 */
export const maxInteger = Number.MAX_SAFE_INTEGER;

export const integerMessages = {
  notInteger: 'Must be an integer',
  notPositive: 'Must be positive',
  tooLarge: `Must be at most ${maxInteger}`,
} as const;

export interface IntegerRule {
  /** Smallest allowed value; default 1. */
  min?: number;
  /** Largest allowed value; default 2^53 − 1. */
  max?: number;
  /** One message for every failure, for small ranges ("Must be an integer from 1 to 5"). */
  range?: string;
  /** Messages for a value below min or above max, when not `range`. */
  tooSmall?: string;
  tooLarge?: string;
}

/** Why a number breaks the rule, or undefined. Size first: every double above 2^53 is "an integer" to JavaScript. */
export function integerProblem(value: number, rule: IntegerRule = {}): string | undefined {
  const { min = 1, max = maxInteger } = rule;
  if (Number.isNaN(value)) return rule.range ?? integerMessages.notInteger;
  if (value > max) return rule.range ?? rule.tooLarge ?? (max === maxInteger ? integerMessages.tooLarge : `Must be at most ${max}`);
  if (!Number.isInteger(value)) return rule.range ?? integerMessages.notInteger;
  if (value < min) return rule.range ?? rule.tooSmall ?? (min === 1 ? integerMessages.notPositive : `Must be at least ${min}`);
  return undefined;
}

/** An integer in JSON (a body or a frame): a JSON number, never a string. */
export function integerField(rule: IntegerRule = {}) {
  return described(
    z.number({ error: rule.range ?? integerMessages.notInteger }).check(
      z.superRefine((value, ctx) => {
        const problem = integerProblem(value, rule);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ),
    rule,
  );
}

/**
 * The rule as JSON Schema for the generated contracts (README "Contracts"): z.toJSONSchema cannot see
 * inside a refinement, so without this every integer would read as an unbounded number. Metadata only;
 * parsing is unchanged.
 */
function described<T extends z.ZodMiniType>(schema: T, rule: IntegerRule): T {
  z.globalRegistry.add(schema, { type: 'integer', minimum: rule.min ?? 1, maximum: rule.max ?? maxInteger });
  return schema;
}

/** A positive integer id in JSON: session_id, product_id, message_id, up_to_id, admin_id, store_id. */
export const idField = integerField();

/**
 * An integer written in a query string or a path: decimal digits, an optional
 * minus, no leading zero, so "1e3", "0x10", " 7" or "007" are refused rather
 * than read as numbers.
 */
export function integerText(rule: IntegerRule = {}) {
  const text = z.pipe(
    z.string({ error: rule.range ?? integerMessages.notInteger }),
    z.transform((text: string, ctx) => {
      const problem = /^-?(0|[1-9][0-9]*)$/.test(text) ? integerProblem(Number(text), rule) : (rule.range ?? integerMessages.notInteger);
      if (problem === undefined) return Number(text);
      // zod/mini's transform context has no addIssue: the issue goes on the list as classic zod's addIssue put it.
      ctx.issues.push({ code: 'custom', message: problem, input: text });
      return z.NEVER;
    }),
  );
  // Described as the integer it stands for: clients write integers into query strings and paths.
  return described(text, rule);
}
