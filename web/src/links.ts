/**
 * The one rule for every `href` and `src` the console renders (issue 15, point 4): an `https:` URL, or a URL
 * on one of the configured trusted origins (the API's own download links; locally the S3 emulator is http).
 * Anything else (`javascript:`, `data:`, relative paths, credentials in the URL) is shown as text, never linked.
 * No DOM here, so the rule is unit-tested in node (test/unit/console-links.test.ts).
 */
export function normaliseOrigins(origins: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const origin of origins) {
    if (typeof origin !== 'string') continue;
    try {
      const url = new URL(origin);
      if (url.protocol === 'https:' || url.protocol === 'http:') out.push(url.origin);
    } catch {
      // Not a URL: ignored, so a typo in config.json widens nothing.
    }
  }
  return out;
}

/** The URL to use as `href`/`src`, or null when it must be rendered as plain text. */
export function safeUrl(raw: unknown, trustedOrigins: readonly string[]): string | null {
  if (typeof raw !== 'string' || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') return null;
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && trustedOrigins.includes(url.origin)) return url.href;
  return null;
}

/** A file's name for a download link: the last path segment, decoded when that is valid. */
export function fileNameOf(raw: string): string {
  let path = raw;
  try {
    path = new URL(raw).pathname;
  } catch {
    // Keep the raw text.
  }
  const last = path.split('/').filter((part) => part !== '').pop() ?? '';
  try {
    return decodeURIComponent(last) || 'file';
  } catch {
    return last || 'file';
  }
}
