import type { Access } from '../../lib/routes';

/**
 * How every function is bundled. infra/constructs/chat-function.ts hands these
 * to the CDK's esbuild; bench/coldstart.ts builds with the same values, so the
 * numbers in docs/PERFORMANCE.md are for the bundles that deploy.
 */
export const functionBundling = {
  minify: true,
  // The .map ships in the code package, to map a stack trace offline (README "Logs"); see runtimeSourceMaps.
  sourceMap: true,
  // Stack traces need names and lines, not the sources: 1.4 MB of map instead of 4.5 MB to parse.
  sourcesContent: false,
  // The SDK's ES module builds tree-shake; its CommonJS ones do not (send-message init 115 → 76 ms).
  mainFields: ['module', 'main'],
  // The SDK is bundled, not taken from the runtime: see "Cold start" in docs/PERFORMANCE.md.
  externalModules: [] as string[],
} as const;

/** The runtime every function deploys to; the bench targets the machine's own Node instead. */
export const lambdaNodeTarget = 'node24';

/**
 * Whether functions run with NODE_OPTIONS=--enable-source-maps. Off: Node.js would read and
 * parse the .map at every cold start, for stack traces only (docs/PERFORMANCE.md, "6. Cold start").
 */
export const runtimeSourceMaps = false;

/** The AWS clients a function may carry besides DynamoDB, which every function uses, and the access values that need each. */
const optionalClients = {
  /** lib/realtime/push.ts: @aws-sdk/client-apigatewaymanagementapi. */
  push: (access: Access) => access === 'push',
  /** lib/attachments/s3-store.ts: @aws-sdk/client-s3 and the presigners. */
  s3: (access: Access) => access.startsWith('attachments:'),
} as const;

export type OptionalClient = keyof typeof optionalClients;

/** The clients an access list (lib/routes.ts) needs besides DynamoDB. */
export function clientsFor(access: readonly Access[]): OptionalClient[] {
  return (Object.keys(optionalClients) as OptionalClient[]).filter((client) => access.some(optionalClients[client]));
}

/**
 * esbuild `define`s that make a bundle carry only the clients its access list needs:
 * lib/deps.ts guards each optional client with these expressions, which become
 * constants, so the other clients' code is dead and esbuild drops it together with
 * their SDK packages (side-effect free). Unbundled (tests, the local stack) they stay
 * undefined and every client is built. Measured in docs/PERFORMANCE.md, "6. Cold start".
 */
export function clientDefines(access: readonly Access[]): Record<string, string> {
  const carried = new Set(clientsFor(access));
  return {
    'process.env.BUNDLE_PUSH_CLIENT': JSON.stringify(carried.has('push') ? 'yes' : 'no'),
    'process.env.BUNDLE_S3_CLIENT': JSON.stringify(carried.has('s3') ? 'yes' : 'no'),
  };
}

/**
 * The S3 attachment store, a file of its own next to index.js in the functions that
 * carry S3: lib/attachments/store.ts loads it with import('./s3-store.js') on the first
 * attachment request, which the bundle leaves external. Inside the bundle it cost
 * every cold start its parse, with or without attachments (docs/PERFORMANCE.md, "6. Cold start").
 */
export const s3StoreFile = { importPath: './s3-store.js', entry: 'lib/attachments/s3-store.ts', outfile: 's3-store.js' } as const;

/** The esbuild command that builds s3StoreFile with the settings of functionBundling, for the CDK's afterBundling hook. */
export function s3StoreBuildCommand(inputDir: string, outputDir: string, target: string): string {
  const quote = (path: string) => `"${path}"`;
  return [
    quote(`${inputDir}/node_modules/.bin/esbuild`),
    quote(`${inputDir}/${s3StoreFile.entry}`),
    '--bundle',
    '--platform=node',
    '--format=cjs',
    `--target=${target}`,
    ...(functionBundling.minify ? ['--minify'] : []),
    ...(functionBundling.sourceMap ? ['--sourcemap'] : []),
    `--sources-content=${String(functionBundling.sourcesContent)}`,
    `--main-fields=${functionBundling.mainFields.join(',')}`,
    '--log-level=warning',
    quote(`--outfile=${outputDir}/${s3StoreFile.outfile}`),
  ].join(' ');
}
