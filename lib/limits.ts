/** Public limits. Each one is documented in README.md ("Limits"). */
export const limits = {
  /** Message text, counted in Unicode code points. */
  contentMaxChars: 4000,
  attachmentUrlMaxChars: 2048,
  attachmentTypeMaxChars: 255,
  /** Largest HTTP request body accepted by any route. */
  httpBodyMaxBytes: 64 * 1024,
  /** API Gateway WebSocket frame limit; our frames must fit in one. */
  wsFrameMaxBytes: 32 * 1024,
  requestIdMaxChars: 128,
  /**
   * Live WebSocket connections per principal (README "Limits"). A connect past it closes that
   * principal's oldest connection, so each fan-out pushes to at most this many sockets per principal.
   */
  connectionsPerPrincipal: 10,
  /** Longest `action` an error frame echoes back; no route's name is longer. */
  wsActionMaxChars: 64,
  principalNameMaxChars: 200,
  /** Upload tickets (POST …/attachment) one store or admin may get per window; UPLOAD_TICKET_LIMIT overrides. */
  uploadTicketsPerWindow: 30,
  /** The upload ticket window; UPLOAD_TICKET_WINDOW_SECONDS overrides. */
  uploadTicketWindowSeconds: 60,
  /**
   * How long one function instance trusts a token it resolved before reading it again
   * (lib/auth/identity-cache.ts). At most 30 s, so a revoked token stops working over HTTP
   * within 60 s whatever the clocks do (README "Rotating tokens").
   */
  identityCacheTtlSeconds: 30,
  /** Token hashes one function instance keeps; past it the oldest goes, so memory stays bounded. */
  identityCacheMaxEntries: 5000,
  /**
   * How long a request reuses an audience read (admin or store connections, lib/realtime/fanout.ts audienceCache),
   * from the start of its query. A send decides its status on the read before the commit and pushes after
   * it: past this age it reads again, so a connection registered at least 1 s before a commit gets the push
   * (README "Coming online and reconnecting"). 1 s keeps the common send at one read (commit and pushes
   * follow within tens of ms) and, with index propagation, sets the client's second recovery at 2 s.
   */
  audienceFreshMs: 1000,
} as const;
