/** config.json, next to index.html: written by the CDK stack at deploy time and served by the local edge. */
import { normaliseOrigins } from './links';

export interface ConsoleConfig {
  /** "" means the page's own origin: the API is on the same CloudFront domain. */
  apiBaseUrl: string;
  wsUrl: string;
  trustedOrigins: string[];
}

export async function loadConfig(): Promise<ConsoleConfig> {
  // index.html preloads it (same mode and credentials as this request, so the preload is used); its
  // Cache-Control (max-age=0) makes every load revalidate, so a deploy's new config is read at once.
  const response = await fetch('config.json');
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const raw: unknown = await response.json();
  if (typeof raw !== 'object' || raw === null) throw new Error('config.json is not an object');
  const { apiBaseUrl, wsUrl, trustedOrigins } = raw as Record<string, unknown>;
  if (typeof wsUrl !== 'string' || wsUrl === '') throw new Error('config.json has no wsUrl');
  return {
    apiBaseUrl: typeof apiBaseUrl === 'string' ? apiBaseUrl.replace(/\/+$/, '') : '',
    wsUrl,
    trustedOrigins: normaliseOrigins(Array.isArray(trustedOrigins) ? trustedOrigins : []),
  };
}
