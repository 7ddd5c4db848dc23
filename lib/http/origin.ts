import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The header CloudFront adds to every request it forwards to the HTTP API
 * (README, "Origin check"). API Gateway's payload 2.0 lower-cases header
 * names, so this is the name handlers see.
 */
export const originVerifyHeader = 'x-origin-verify';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when the request came through CloudFront: its header equals one of the
 * accepted values (during a rotation, the new and the previous one). With no
 * accepted values configured there is nothing to check against, so every
 * request passes; the stack always configures them (test/infra).
 */
export function originVerified(headers: Record<string, string | undefined> | undefined, accepted: readonly string[] | undefined): boolean {
  if (!accepted || accepted.length === 0) return true;
  const sent = headers?.[originVerifyHeader];
  if (sent === undefined || sent === '') return false;
  // Equal-length digests, compared in constant time, so timing leaks nothing about the value.
  const given = digest(sent);
  return accepted.some((value) => timingSafeEqual(given, digest(value)));
}

/** Parses the comma-separated list of accepted values from the environment. */
export function parseOriginSecrets(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
}
