import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { clientDefines, clientsFor, functionBundling, runtimeSourceMaps, s3StoreFile, type OptionalClient } from '../infra/constructs/bundling';
import { repoRoot } from '../infra/paths';
import type { Access } from '../lib/routes';
import { authorizers, httpCatchAll, httpRoutes, wsRoutes } from '../lib/routes';
import { median, range } from './stats';

/**
 * Cold start, as far as this machine can show it: each function bundled the
 * way infra/constructs/chat-function.ts has the CDK bundle it (esbuild: bundle,
 * minify, sourcemap, platform node, cjs, the AWS SDK bundled, and only the
 * clients its access list needs: clientDefines in infra/constructs/bundling.ts,
 * the S3 store in a file of its own), then loaded by a fresh `node`, as deployed;
 * the baselines and two functions also the other way round (source maps).
 * The target is node20 because this machine runs Node 20 (Lambda runs node24).
 */

export type Variant = 'bundled' | 'external';

export interface InitTimes {
  /** Whole process: spawn → exit, median. */
  wallMs: number;
  /** The require() of the bundle alone, timed inside the process, median. */
  requireMs: number;
}

/** The SDK-bundled build loaded both ways: Node.js reads and parses the .map at load only when enabled. */
export interface SourceMapTimes {
  mapBytes: number;
  enabled: InitTimes;
  disabled: InitTimes;
}

export interface Baseline {
  bytes: number;
  /** As deployed: with --enable-source-maps exactly when the construct sets it. */
  init: InitTimes;
  sourceMaps: SourceMapTimes;
}

export interface ColdFunction {
  name: string;
  handler: string;
  /** The clients besides DynamoDB its access list needs, so its bundle carries. */
  clients: OptionalClient[];
  bytes: number;
  /** As deployed: with --enable-source-maps exactly when the construct sets it. */
  init: InitTimes;
}

/** A function measured further: both source-map settings, and its SDK-external build. */
export interface ColdDetail {
  name: string;
  sourceMaps: SourceMapTimes;
  external: { bytes: number; init: InitTimes };
  composition: Composition;
}

export interface Composition {
  name: string;
  totalBytes: Record<Variant, number>;
  parts: { part: string; bytes: Record<Variant, number> }[];
}

export interface ColdStartResult {
  runs: number;
  nodeVersion: string;
  /** runtimeSourceMaps in infra/constructs/bundling.ts: whether the construct sets NODE_OPTIONS=--enable-source-maps. */
  deployedSourceMaps: boolean;
  bare: Baseline;
  /** bench/baselines/dynamodb-only.ts: the DynamoDB document client and nothing else, the floor under the design card. */
  dynamodbOnly: Baseline;
  functions: ColdFunction[];
  /** The largest bundle, and the largest without S3. */
  details: ColdDetail[];
  /** s3-store.js, which the S3 functions load on their first attachment request: size and require() as deployed. */
  s3Store: { bytes: number; init: InitTimes };
  seconds: number;
}

const loaderSource = `'use strict';
const t0 = process.hrtime.bigint();
const mod = require(process.argv[2]);
const t1 = process.hrtime.bigint();
const wanted = process.argv[3] || 'handler';
if (typeof mod[wanted] !== 'function') { process.stderr.write('no ' + wanted + ' export'); process.exit(2); }
process.stdout.write(String(Number(t1 - t0) / 1e6));
`;

const sdkExternals = ['@aws-sdk/*', '@smithy/*'];

async function bundle(entry: string, outfile: string, variant: Variant, access: readonly Access[]): Promise<Metafile> {
  const withS3 = clientsFor(access).includes('s3');
  // What the CDK's afterBundling hook does (s3StoreBuildCommand): the S3 store next to index.js.
  if (withS3) await bundle(join(repoRoot, s3StoreFile.entry), join(outfile, '..', s3StoreFile.outfile), variant, []);
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: functionBundling.minify,
    sourcemap: functionBundling.sourceMap,
    sourcesContent: functionBundling.sourcesContent,
    mainFields: [...functionBundling.mainFields],
    define: clientDefines(access),
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...(variant === 'external' ? sdkExternals : functionBundling.externalModules), ...(withS3 ? [s3StoreFile.importPath] : [])],
    metafile: true,
    logLevel: 'error',
  });
  return result.metafile;
}

interface Target {
  key: string;
  file: string;
  sourceMaps: boolean;
  /** The export the loader checks for; `handler` unless said. */
  exportName?: string;
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
  const out = spawnSync(process.execPath, [loader, target.file, target.exportName ?? 'handler'], { env: spawnEnv(target.sourceMaps), encoding: 'utf8' });
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

/** The functions whose cold start counts: every route, the catch-all and the WebSocket authorizer (HTTP routes authenticate in their own function). */
const functionSpecs = (): { name: string; handler: string; access: readonly Access[] }[] =>
  [...httpRoutes, ...wsRoutes, httpCatchAll, authorizers.ws].map((spec) => ({ name: spec.name, handler: spec.handler, access: spec.access }));

export async function measureColdStart(runs: number): Promise<ColdStartResult> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'support-chat-bench-'));
  try {
    const loader = join(dir, 'loader.js');
    writeFileSync(loader, loaderSource);
    const baselines = { bare: 'bare', dynamodbOnly: 'dynamodb-only' } as const;
    const files = new Map<string, string>();
    for (const name of Object.values(baselines)) {
      const file = join(dir, name, 'index.js');
      await bundle(join(repoRoot, 'bench', 'baselines', `${name}.ts`), file, 'bundled', []);
      files.set(name, file);
    }
    const specs = functionSpecs();
    const metafiles = new Map<string, Metafile>();
    for (const spec of specs) {
      const file = join(dir, 'bundled', spec.name, 'index.js');
      metafiles.set(spec.name, await bundle(join(repoRoot, spec.handler), file, 'bundled', spec.access));
      files.set(spec.name, file);
    }
    const size = (key: string) => statSync(files.get(key)!).size;
    // Measured further: the largest bundle, and the largest without S3 (the two kinds of function).
    const bySize = [...specs].sort((a, b) => size(b.name) - size(a.name));
    const detailed = [bySize[0], bySize.find((spec) => !clientsFor(spec.access).includes('s3'))].filter((spec) => spec !== undefined);
    for (const spec of detailed) {
      const file = join(dir, 'external', spec.name, 'index.js');
      metafiles.set(`${spec.name}:external`, await bundle(join(repoRoot, spec.handler), file, 'external', spec.access));
      files.set(`${spec.name}:external`, file);
    }
    const s3Store = [...files.values()].map((file) => join(file, '..', s3StoreFile.outfile)).find((file) => existsSync(file));
    if (!s3Store) throw new Error('no function carries the S3 store: nothing to measure for its first use');

    const asDeployed = (key: string, exportName?: string): Target => ({ key, file: files.get(key) ?? key, sourceMaps: runtimeSourceMaps, ...(exportName ? { exportName } : {}) });
    const otherWay = (key: string): Target => ({ key: `${key}:other`, file: files.get(key)!, sourceMaps: !runtimeSourceMaps });
    const both = [...Object.values(baselines), ...detailed.map((spec) => spec.name)];
    const targets: Target[] = [
      ...Object.values(baselines).map((key) => asDeployed(key)),
      ...specs.map((spec) => asDeployed(spec.name)),
      ...both.map(otherWay),
      ...detailed.map((spec) => asDeployed(`${spec.name}:external`)),
      { ...asDeployed(s3Store, 'createS3AttachmentStore'), key: 's3-store' },
    ];
    const init = measure(loader, targets, runs);
    const at = (key: string): InitTimes => init.get(key) ?? { wallMs: 0, requireMs: 0 };
    const sourceMaps = (key: string): SourceMapTimes => {
      const [deployed, other] = [at(key), at(`${key}:other`)];
      return { mapBytes: statSync(`${files.get(key)!}.map`).size, enabled: runtimeSourceMaps ? deployed : other, disabled: runtimeSourceMaps ? other : deployed };
    };
    const baseline = (key: string): Baseline => ({ bytes: size(key), init: at(key), sourceMaps: sourceMaps(key) });

    return {
      runs,
      nodeVersion: process.version,
      deployedSourceMaps: runtimeSourceMaps,
      bare: baseline(baselines.bare),
      dynamodbOnly: baseline(baselines.dynamodbOnly),
      functions: specs.map((spec) => ({ name: spec.name, handler: spec.handler, clients: clientsFor(spec.access), bytes: size(spec.name), init: at(spec.name) })),
      details: detailed.map((spec) => ({
        name: spec.name,
        sourceMaps: sourceMaps(spec.name),
        external: { bytes: size(`${spec.name}:external`), init: at(`${spec.name}:external`) },
        composition: compose(spec.name, { bundled: metafiles.get(spec.name)!, external: metafiles.get(`${spec.name}:external`)! }),
      })),
      s3Store: { bytes: statSync(s3Store).size, init: at('s3-store') },
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
