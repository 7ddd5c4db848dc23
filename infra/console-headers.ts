/**
 * The admin console's security headers: the one place that decides them. The CDK stack turns them into the
 * console behaviour's ResponseHeadersPolicy (infra/constructs/console-site.ts) and the local edge sends them
 * on every /console/ response (infra/local/console-server.ts), so both serve the same policy.
 */

export interface ConsoleOrigins {
  /** The WebSocket API's origin: `wss://<id>.execute-api.<region>.amazonaws.com`, locally `ws://127.0.0.1:3001`. */
  readonly webSocket: string;
  /** Where the browser POSTs presigned uploads (README "Upload Attachment"): the attachments bucket's origin(s). */
  readonly upload: string;
  /**
   * Origins besides any `https:` URL that may be used as `src` (images, video): the API's own download links
   * when they are not https (locally the S3 emulator). Also config.json's `trustedOrigins`.
   */
  readonly trustedDownloads: readonly string[];
  /** Served over HTTPS (deployed): adds Strict-Transport-Security, which browsers ignore over plain http. */
  readonly https: boolean;
}

/** Two years, with subdomains: the value the HSTS preload list asks for. */
export const hstsMaxAgeSeconds = 63_072_000;

/** Powerful features the console never uses, switched off for it and anything it could embed. */
const disabledFeatures = ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'display-capture'] as const;

/**
 * Strict CSP with no inline script or style: the console's own app.js and app.css only, its data from its own
 * origin (the API), the WebSocket API and the upload origin; media from https (presigned downloads) and the
 * trusted origins. No frames, plugins, <base> or form posts (uploads are XMLHttpRequest, not forms).
 */
export function contentSecurityPolicy(origins: ConsoleOrigins): string {
  const media = ["'self'", 'https:', ...origins.trustedDownloads].join(' ');
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    // blob: lets the composer preview a picked file before it is uploaded.
    ['img-src', `${media} blob:`],
    ['media-src', media],
    ['connect-src', ["'self'", origins.webSocket, origins.upload].join(' ')],
    ['font-src', "'self'"],
    ['manifest-src', "'self'"],
    ['frame-ancestors', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['object-src', "'none'"],
  ];
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}

/** Every security header of a console response, by lower-case name. */
export function consoleSecurityHeaders(origins: ConsoleOrigins): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(origins),
    // A JSON or text file must never be sniffed into a script or a page.
    'x-content-type-options': 'nosniff',
    // URLs may carry session ids; no other site learns them.
    'referrer-policy': 'no-referrer',
    // Clickjacking: for browsers without frame-ancestors.
    'x-frame-options': 'DENY',
    'permissions-policy': disabledFeatures.map((feature) => `${feature}=()`).join(', '),
    // A page the console opens (links use noopener too) cannot reach back into it.
    'cross-origin-opener-policy': 'same-origin',
    ...(origins.https ? { 'strict-transport-security': `max-age=${hstsMaxAgeSeconds}; includeSubDomains` } : {}),
  };
}

/**
 * The attachments bucket's CORS rule, for the console's origin only: the browser POSTs the presigned form
 * with XMLHttpRequest (upload progress makes it preflight). The form carries everything S3 checks, so no
 * request header needs allowing; downloads are <img>/<a> loads, which need no CORS. The CDK bucket
 * (infra/constructs/attachments-bucket.ts) and the local S3 emulator apply the same rule.
 */
export const uploadCorsRule = {
  allowedMethods: ['POST'],
  allowedHeaders: [] as string[],
  maxAgeSeconds: 3000,
} as const;
