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
  principalNameMaxChars: 200,
} as const;
