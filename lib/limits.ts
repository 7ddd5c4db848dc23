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
} as const;
