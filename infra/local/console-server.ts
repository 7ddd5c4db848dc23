import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildConsole, type ConsoleBuild } from '../../web/build';
import { consoleSecurityHeaders, type ConsoleOrigins } from '../console-headers';
import { consoleCacheControl, consoleConfigFile, consoleRequestSource, type ConsoleConfig } from '../edge/console-function';

/**
 * The console's CloudFront behaviours on the local edge (`/console` and `/console/*`): the same viewer-request
 * function (infra/edge/console-request.js), then the private bucket's object, with the response headers
 * policy's headers (infra/console-headers.ts) and the deployed Cache-Control. config.json is made from the
 * running stack instead of written by a deploy.
 */

export interface ConsoleReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface LocalConsole {
  /** The paths CloudFront sends to the console's behaviours; everything else goes to the API. */
  serves(path: string): boolean;
  answer(method: string, path: string): Promise<ConsoleReply>;
}

interface FunctionResponse {
  statusCode: number;
  headers?: Record<string, { value: string }>;
  body?: { encoding: 'text' | 'base64'; data: string };
}

type ViewerRequest = { uri: string; method: string };
type ConsoleFunction = (event: { request: ViewerRequest }) => ViewerRequest | FunctionResponse;

/** What S3 stores for each built file (BucketDeployment sets the type from the extension). */
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

let memoizedBuild: Promise<ConsoleBuild> | undefined;

/** The console built once per process, into a temporary folder removed at exit. */
export function sharedConsoleBuild(): Promise<ConsoleBuild> {
  if (!memoizedBuild) {
    const dir = mkdtempSync(join(tmpdir(), 'support-chat-console-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    memoizedBuild = buildConsole(dir, { minify: true });
    // A failed build is retried by the next request rather than remembered.
    memoizedBuild.catch(() => {
      memoizedBuild = undefined;
    });
  }
  return memoizedBuild;
}

export function isConsolePath(path: string): boolean {
  return path === '/console' || path.startsWith('/console/');
}

/**
 * The console on the local edge. `build` gives the folder to serve (built lazily, so a stack that nobody
 * opens the console on never builds it); `config` and `origins` describe the running stack.
 */
export function localConsole(options: { build: () => Promise<ConsoleBuild>; config: () => ConsoleConfig; origins: () => ConsoleOrigins }): LocalConsole {
  let loaded: Promise<{ build: ConsoleBuild; run: ConsoleFunction; headers: Record<string, string> }> | undefined;
  const load = () => {
    loaded ??= options.build().then((build) => {
      const headers = consoleSecurityHeaders(options.origins());
      // In an isolated context, as CloudFront runs it.
      const run = runInNewContext(`${consoleRequestSource(build.files, headers)}\n;handler`, {}) as ConsoleFunction;
      return { build, run, headers };
    });
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  };

  return {
    serves: isConsolePath,
    async answer(method, path) {
      const { build, run, headers } = await load();
      const result = run({ request: { uri: path, method } });
      if ('statusCode' in result) {
        const own: Record<string, string> = {};
        for (const [name, { value }] of Object.entries(result.headers ?? {})) own[name] = value;
        const body = result.body ? Buffer.from(result.body.data, result.body.encoding === 'base64' ? 'base64' : 'utf8') : Buffer.alloc(0);
        return { status: result.statusCode, headers: { ...own, ...headers }, body };
      }
      // The origin: the object at the key the function chose (console/<name>); nothing else is reachable.
      const name = result.uri.slice('/console/'.length);
      const body = name === consoleConfigFile ? Buffer.from(JSON.stringify(options.config())) : await readFile(join(build.outDir, name));
      return {
        status: 200,
        headers: { 'content-type': contentTypes[extname(name)] ?? 'application/octet-stream', 'cache-control': consoleCacheControl, ...headers },
        body,
      };
    },
  };
}
