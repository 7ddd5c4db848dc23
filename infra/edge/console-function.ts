import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The console's CloudFront Function: deployed by infra/constructs/console-site.ts, run by the local edge (infra/local/console-server.ts). */
export const consoleRequestFunctionPath = join(__dirname, 'console-request.js');

/**
 * Browsers revalidate every file at each load (the names carry no content hash, and config.json changes with
 * a deploy); CloudFront keeps them a day, and each deploy invalidates /console/*.
 */
export const consoleCacheControl = 'max-age=0, s-maxage=86400';

/** config.json, next to index.html: written at deploy time by the stack, served by the local edge. */
export interface ConsoleConfig {
  /** "" is the console's own origin: the HTTP API is on the same distribution (or local edge). */
  readonly apiBaseUrl: string;
  readonly wsUrl: string;
  readonly trustedOrigins: readonly string[];
}

export const consoleConfigFile = 'config.json';

function fill(source: string, marker: string, value: unknown): string {
  const line = new RegExp(`^var (\\w+) = \\{\\}; // ${marker}$`, 'm');
  if (!line.test(source)) throw new Error(`${consoleRequestFunctionPath} has no "var … = {}; // ${marker}" line`);
  return source.replace(line, (_match, name: string) => `var ${name} = ${JSON.stringify(value)}; // ${marker}`);
}

/**
 * The function's code for one build: the files it lets through (`files` and config.json) and the headers its
 * own answers (301, 404, 405) carry. Header values may hold CDK tokens; they stay strings here.
 */
export function consoleRequestSource(files: readonly string[], headers: Readonly<Record<string, string>>): string {
  const names = Object.fromEntries([...files, consoleConfigFile].map((name) => [name, true]));
  return fill(fill(readFileSync(consoleRequestFunctionPath, 'utf8'), '@console-files', names), '@console-headers', headers);
}
