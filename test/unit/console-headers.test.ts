import { consoleSecurityHeaders, contentSecurityPolicy, hstsMaxAgeSeconds, type ConsoleOrigins } from '../../infra/console-headers';

const deployed: ConsoleOrigins = {
  webSocket: 'wss://abc123.execute-api.eu-west-1.amazonaws.com',
  upload: 'https://*.s3.eu-west-1.amazonaws.com',
  trustedDownloads: [],
  https: true,
};
const local: ConsoleOrigins = { webSocket: 'ws://127.0.0.1:3001', upload: 'http://127.0.0.1:4569', trustedDownloads: ['http://127.0.0.1:4569'], https: false };

/** The CSP as a map of directive → sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('the console security headers', () => {
  it('allow script and style from the console itself only, never inline', () => {
    const csp = directives(contentSecurityPolicy(deployed));

    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(contentSecurityPolicy(deployed)).not.toMatch(/unsafe-inline|unsafe-eval|strict-dynamic|nonce-|sha256-/);
  });

  it('connect to the API, the WebSocket API and the upload origin only', () => {
    expect(directives(contentSecurityPolicy(deployed)).get('connect-src')).toEqual(["'self'", deployed.webSocket, deployed.upload]);
    expect(directives(contentSecurityPolicy(local)).get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:3001', 'http://127.0.0.1:4569']);
  });

  it('show media from https and the trusted download origins only', () => {
    const csp = directives(contentSecurityPolicy(local));

    expect(csp.get('img-src')).toEqual(["'self'", 'https:', 'http://127.0.0.1:4569', 'blob:']);
    expect(csp.get('media-src')).toEqual(["'self'", 'https:', 'http://127.0.0.1:4569']);
    expect(directives(contentSecurityPolicy(deployed)).get('img-src')).not.toContain('http:');
  });

  it('forbid framing, plugins, <base> and form posts', () => {
    const csp = directives(contentSecurityPolicy(deployed));

    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
  });

  it('carry the usual security headers', () => {
    const headers = consoleSecurityHeaders(deployed);

    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('switch camera, microphone and geolocation off', () => {
    const features = consoleSecurityHeaders(deployed)['permissions-policy']!.split(', ');

    expect(features).toEqual(expect.arrayContaining(['camera=()', 'microphone=()', 'geolocation=()']));
    // Notifications are a permission prompt, not a Permissions-Policy feature: the console asks for them.
    expect(features.some((feature) => feature.startsWith('notifications'))).toBe(false);
  });

  it('add HSTS when served over https only', () => {
    expect(consoleSecurityHeaders(deployed)['strict-transport-security']).toBe(`max-age=${hstsMaxAgeSeconds}; includeSubDomains`);
    expect(consoleSecurityHeaders(local)).not.toHaveProperty('strict-transport-security');
  });
});
