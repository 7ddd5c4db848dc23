import { randomBytes } from 'node:crypto';

/** 72 random bits: enough to tell one writer's put from another's, and short, since every entry stores one. */
export function newWriteId(): string {
  return randomBytes(9).toString('base64url');
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Unbiased base62 from a CSPRNG. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: rejecting higher bytes keeps every symbol equally likely.
      if (byte < 248 && out.length < length) out += alphabet[byte % 62];
    }
  }
  return out;
}
