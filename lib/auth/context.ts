import * as z from '../validation';
import type { Principal } from '../entities/principal';

/**
 * What the WebSocket $connect authorizer hands to handlers (HTTP routes have no
 * authorizer: lib/auth/http-identity.ts). API Gateway may deliver context
 * values as strings, so ids are coerced.
 */
const contextSchema = z.discriminatedUnion('principal_type', [
  z.object({ principal_type: z.enum(['store', 'admin']), principal_id: z.coerce.number().check(z.int(), z.positive()) }),
  z.object({ principal_type: z.literal('anonymous') }),
  z.object({ principal_type: z.literal('unavailable') }),
]);

export type AuthContext = z.infer<typeof contextSchema>;

export type Identity = { kind: 'principal'; principal: Principal } | { kind: 'anonymous' } | { kind: 'unavailable' };

export function toAuthContext(principal: Principal | undefined): { principal_type: string; principal_id?: number } {
  return principal ? { principal_type: principal.kind, principal_id: principal.id } : { principal_type: 'anonymous' };
}

/**
 * The WebSocket authorizer also hands over the SHA-256 of the token the socket
 * was opened with (never the token): $connect stores it on the connection row
 * so that revoking the token can close exactly its sockets (README "Rotating tokens").
 */
const tokenHashSchema = z.object({ token_hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)) });

export function tokenHashFromContext(context: unknown): string | undefined {
  const parsed = tokenHashSchema.safeParse(context ?? {});
  return parsed.success ? parsed.data.token_hash : undefined;
}

export function identityFromContext(context: unknown): Identity {
  const parsed = contextSchema.safeParse(context ?? {});
  if (!parsed.success) return { kind: 'anonymous' };
  const value = parsed.data;
  if (value.principal_type === 'store' || value.principal_type === 'admin') {
    return { kind: 'principal', principal: { kind: value.principal_type, id: value.principal_id } };
  }
  return { kind: value.principal_type };
}

const schemePattern = /^Token\s+(\S+)\s*$/i;

/** Extracts <token> from "Authorization: Token <token>", the seed's scheme. */
export function tokenFromAuthorizationHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return schemePattern.exec(header)?.[1];
}
