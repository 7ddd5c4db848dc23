import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { functionBundling } from '../infra/constructs/bundling';
import { repoRoot } from '../infra/paths';
import { authorizers, httpRoutes, wsRoutes } from '../lib/routes';
import { median, range } from './stats';

/**
 * Cold start, as far as this machine can show it: each function bundled the
 * way infra/constructs/chat-function.ts has the CDK bundle it (esbuild: bundle,
 * minify, sourcemap, platform node, cjs, the AWS SDK bundled), then loaded by
 * a fresh `node` with NODE_OPTIONS=--enable-source-maps, as the construct sets.
 * The target is node20 because this machine runs Node 20 (Lambda runs node24).
 */

export type Variant = 'bundled' | 'external';

export interface InitTimes {
  /** Whole process: spawn → exit, median. */
  wallMs: number;
  /** The require() of the bundle alone, timed inside the process, median. */
  requireMs: number;
}

export interface ColdFunction {
  name: string;
  handler: string;
  bytes: Record<Variant, number>;
  init: Record<Variant, InitTimes>;
}

export interface Composition {
  name: string;
  totalBytes: Record<Variant, number>;
  parts: { part: string; bytes: Record<Variant, number> }[];
}

export interface ColdStartResult {
  runs: number;
  nodeVersion: string;
  bare: { bytes: number; init: InitTimes };
  /** bench/baselines/dynamodb-only.ts: the DynamoDB document client and nothing else, the floor under the design card. */
  dynamodbOnly: { bytes: number; init: InitTimes };
  functions: ColdFunction[];
  /** The largest bundle, what it is made of (esbuild metafile, bytes in the minified output). */
  composition: Composition;
  /** The largest bundle and the bare handler again, without --enable-source-maps: how much the maps cost. */
  withoutSourceMaps: { name: string; mapBytes: number; bundled: InitTimes; external: InitTimes; bare: InitTimes };
  seconds: number;
}

const loaderSource = `'use strict';
const t0 = process.hrtime.bigint();
const mod = require(process.argv[2]);
const t1 = process.hrtime.bigint();
if (typeof mod.handler !== 'function') { process.stderr.write('no handler export'); process.exit(2); }
process.stdout.write(String(Number(t1 - t0) / 1e6));
`;

const sdkExternals = ['@aws-sdk/*', '@smithy/*'];

async function bundle(entry: string, outfile: string, variant: Variant): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: functionBundling.minify,
    sourcemap: functionBundling.sourceMap,
    sourcesContent: functionBundling.sourcesContent,
    mainFields: [...functionBundling.mainFields],
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: variant === 'external' ? sdkExternals : [...functionBundling.externalModules],
    metafile: true,
    logLevel: 'error',
  });
  return result.metafile;
}

interface Target {
  key: string;
  file: string;
  sourceMaps: boolean;
}

function spawnEnv(sourceMaps: boolean): NodeJS.ProcessEnv {
  // What Lambda sets, roughly; NODE_PATH plays /var/runtime/node_modules for the SDK-external bundles.
  return {
    PATH: process.env.PATH,
    NODE_PATH: join(repoRoot, 'node_modules'),
    ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    TABLE_NAME: 'chat',
    CONNECTIONS_TABLE_NAME: 'connections',
    BUCKET_NAME: 'attachments',
    WS_MANAGEMENT_ENDPOINT: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
  };
}

function loadOnce(loader: string, target: Target): { wallMs: number; requireMs: number } {
  const started = process.hrtime.bigint();
  const out = spawnSync(process.execPath, [loader, target.file], { env: spawnEnv(target.sourceMaps), encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (out.status !== 0) throw new Error(`loading ${target.file} failed (${out.status}): ${out.stderr}`);
  return { wallMs, requireMs: Number(out.stdout) };
}

/** Every target once per round, round after round: drift on a shared machine hits all of them alike. */
function measure(loader: string, targets: readonly Target[], runs: number): Map<string, InitTimes> {
  const samples = new Map<string, { wall: number[]; req: number[] }>(targets.map((t) => [t.key, { wall: [], req: [] }]));
  for (const target of targets) loadOnce(loader, target); // page cache warm-up, not counted
  for (const _round of range(runs)) {
    for (const target of targets) {
      const { wallMs, requireMs } = loadOnce(loader, target);
      const bucket = samples.get(target.key)!;
      bucket.wall.push(wallMs);
      bucket.req.push(requireMs);
    }
  }
  return new Map([...samples].map(([key, s]) => [key, { wallMs: median(s.wall), requireMs: median(s.req) }]));
}

/** Bytes each package contributes to the minified output, from esbuild's metafile. */
function partsOf(metafile: Metafile): Map<string, number> {
  const output = Object.values(metafile.outputs).find((out) => out.entryPoint !== undefined) ?? Object.values(metafile.outputs)[0];
  const parts = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const part = !pkg ? 'project code (lib/, functions/)' : pkg.startsWith('@aws-sdk/') ? '@aws-sdk/*' : pkg.startsWith('@smithy/') ? '@smithy/*' : pkg;
    parts.set(part, (parts.get(part) ?? 0) + input.bytesInOutput);
  }
  return parts;
}

function compose(name: string, metafiles: Record<Variant, Metafile>): Composition {
  const bundled = partsOf(metafiles.bundled);
  const external = partsOf(metafiles.external);
  const sum = (parts: Map<string, number>) => [...parts.values()].reduce((total, bytes) => total + bytes, 0);
  const parts = [...bundled.keys()]
    .map((part) => ({ part, bytes: { bundled: bundled.get(part) ?? 0, external: external.get(part) ?? 0 } }))
    .sort((a, b) => b.bytes.bundled - a.bytes.bundled);
  return { name, totalBytes: { bundled: sum(bundled), external: sum(external) }, parts };
}

export async function measureColdStart(runs: number): Promise<ColdStartResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'support-chat-bench-'));
  try {
    const loader = join(dir, 'loader.js');
    writeFileSync(loader, loaderSource);
    const bareFile = join(dir, 'bare', 'index.js');
    await bundle(join(repoRoot, 'bench', 'baselines', 'bare.ts'), bareFile, 'bundled');
    const sdkOnlyFile = join(dir, 'dynamodb-only', 'index.js');
    await bundle(join(repoRoot, 'bench', 'baselines', 'dynamodb-only.ts'), sdkOnlyFile, 'bundled');

    const specs = [...httpRoutes, ...wsRoutes, authorizers.http, authorizers.ws].map((spec) => ({ name: spec.name, handler: spec.handler }));
    const files = new Map<string, string>();
    const metafiles = new Map<string, Metafile>();
    for (const spec of specs) {
      for (const variant of ['bundled', 'external'] as const) {
        const file = join(dir, variant, spec.name, 'index.js');
        const meta = await bundle(join(repoRoot, spec.handler), file, variant);
        files.set(`${spec.name}:${variant}`, file);
        metafiles.set(`${spec.name}:${variant}`, meta);
      }
    }

    const targets: Target[] = [
      { key: 'bare', file: bareFile, sourceMaps: true },
      { key: 'dynamodb-only', file: sdkOnlyFile, sourceMaps: true },
      ...[...files].map(([key, file]) => ({ key, file, sourceMaps: true })),
    ];
    const init = measure(loader, targets, runs);
    const at = (key: string) => init.get(key) ?? { wallMs: 0, requireMs: 0 };
    const size = (key: string) => statSync(files.get(key) ?? bareFile).size;
    const functions: ColdFunction[] = specs.map((spec) => ({
      name: spec.name,
      handler: spec.handler,
      bytes: { bundled: size(`${spec.name}:bundled`), external: size(`${spec.name}:external`) },
      init: { bundled: at(`${spec.name}:bundled`), external: at(`${spec.name}:external`) },
    }));

    const largest = [...functions].sort((a, b) => b.bytes.bundled - a.bytes.bundled)[0]!;
    const plain = measure(
      loader,
      [
        { key: 'bundled', file: files.get(`${largest.name}:bundled`)!, sourceMaps: false },
        { key: 'external', file: files.get(`${largest.name}:external`)!, sourceMaps: false },
        { key: 'bare', file: bareFile, sourceMaps: false },
      ],
      runs,
    );
    const plainAt = (key: string) => plain.get(key) ?? { wallMs: 0, requireMs: 0 };
    return {
      runs,
      nodeVersion: process.version,
      bare: { bytes: statSync(bareFile).size, init: at('bare') },
      dynamodbOnly: { bytes: statSync(sdkOnlyFile).size, init: at('dynamodb-only') },
      functions,
      composition: compose(largest.name, { bundled: metafiles.get(`${largest.name}:bundled`)!, external: metafiles.get(`${largest.name}:external`)! }),
      withoutSourceMaps: {
        name: largest.name,
        mapBytes: statSync(`${files.get(`${largest.name}:bundled`)!}.map`).size,
        bundled: plainAt('bundled'),
        external: plainAt('external'),
        bare: plainAt('bare'),
      },
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
