/**
 * How every function is bundled. infra/constructs/chat-function.ts hands these
 * to the CDK's esbuild; bench/coldstart.ts builds with the same values, so the
 * numbers in docs/PERFORMANCE.md are for the bundles that deploy.
 */
export const functionBundling = {
  minify: true,
  sourceMap: true,
  // Stack traces need names and lines, not the sources: 1.4 MB of map instead of 4.5 MB to parse at init.
  sourcesContent: false,
  // The SDK's ES module builds tree-shake; its CommonJS ones do not (send-message init 115 → 76 ms).
  mainFields: ['module', 'main'],
  // The SDK is bundled, not taken from the runtime: see "Cold start" in docs/PERFORMANCE.md.
  externalModules: [] as string[],
} as const;

/** The runtime every function deploys to; the bench targets the machine's own Node instead. */
export const lambdaNodeTarget = 'node24';
