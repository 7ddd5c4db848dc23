/**
 * The WebSocket API's subprotocols, for admins and stores alike (README "Admin WebSocket", Connect; "Store WebSocket").
 *
 * Browsers cannot set headers on a WebSocket, but they can offer subprotocols:
 * `new WebSocket(url, ["chat.v1", "token.<token>"])` sends
 * `Sec-WebSocket-Protocol: chat.v1, token.<token>`. The authorizer reads the
 * token from the `token.` entry; $connect echoes `chat.v1`, never the token,
 * because a client that offered protocols fails the handshake unless the
 * server picks exactly one of them (RFC 6455 §4.1; API Gateway passes the
 * header $connect returns).
 */
export const chatSubprotocol = 'chat.v1';
export const tokenSubprotocolPrefix = 'token.';
export const subprotocolHeader = 'Sec-WebSocket-Protocol';

/** The offered subprotocols, in order. API Gateway keeps header names as sent, so the lookup ignores case. */
export function offeredSubprotocols(headers: Record<string, string | undefined> | null | undefined): string[] {
  const wanted = subprotocolHeader.toLowerCase();
  const values = Object.entries(headers ?? {})
    .filter(([name, value]) => name.toLowerCase() === wanted && typeof value === 'string')
    .map(([, value]) => value as string);
  return values
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * The tokens offered as `token.<token>` entries. More than one is ambiguous
 * and refused by the authorizer.
 */
export function tokensFromSubprotocols(offered: readonly string[]): string[] {
  return offered.filter((entry) => entry.startsWith(tokenSubprotocolPrefix)).map((entry) => entry.slice(tokenSubprotocolPrefix.length));
}
