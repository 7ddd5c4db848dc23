/**
 * The typed HTTP client: openapi-fetch over the types generated from docs/openapi.json
 * (lib/client/openapi.d.ts, README "Contracts"). Paths, parameters, bodies and each status's body are
 * checked by the compiler against the contract; the end-to-end tests drive the local stack through it
 * (test/e2e/typed-client.test.ts) and the admin console will too.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './openapi';

export type { components, operations, paths } from './openapi';

/** A client for one principal: every request carries `Authorization: Token <token>` (README "API reference"). */
export function createChatClient(baseUrl: string, token: string, options: Omit<ClientOptions, 'baseUrl' | 'headers'> = {}): Client<paths> {
  return createClient<paths>({ ...options, baseUrl, headers: { authorization: `Token ${token}` } });
}
