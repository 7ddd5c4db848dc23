import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../lib/aws-http';
import { repoRoot } from '../paths';

export interface DynamoDbLocalOptions {
  port: number;
  /** Folder for the database file; ignored when inMemory. */
  dataDir?: string;
  inMemory?: boolean;
  host?: string;
}

export interface DynamoDbLocal {
  endpoint: string;
  /** The address it listens on: the host asked for, or 'all interfaces' where it could not be bound. */
  listening: string;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 11 or newer, and `java` was not found on PATH.\n' +
        'Install a JRE (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk`) and run again.',
    );
  }
}

/** AWS's own DynamoDB Local jar, as shipped inside the amplify-dynamodb-simulator package. */
export function dynamoDbLocalJar(): { jar: string; libraryPath: string } {
  const root = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  return { jar: join(root, 'DynamoDBLocal.jar'), libraryPath: join(root, 'DynamoDBLocal_lib') };
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
}

async function waitUntilReady(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: localCredentials, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${stderr()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s`);
  } finally {
    client.destroy();
  }
}

const launcherSource = join(__dirname, 'DynamoDbLocalLoopback.java');
const launcherClass = 'DynamoDbLocalLoopback.class';

/** Compiles the launcher into `dir` with the runtime's own compiler; false if this Java has none. */
function compileLauncher(dir: string): boolean {
  const compiled = spawnSync('java', [launcherSource, '--compile', launcherSource, dir], { stdio: 'ignore', timeout: 60_000 });
  return compiled.status === 0 && existsSync(join(dir, launcherClass));
}

/**
 * The folder holding DynamoDbLocalLoopback.class, compiled once per version of its
 * source into node_modules/.cache (or, if that cannot be written, a private temporary
 * folder), or undefined when this Java cannot compile it (a runtime without the
 * jdk.compiler module, such as a jlinked JRE).
 */
function loopbackLauncher(): string | undefined {
  const version = createHash('sha256').update(readFileSync(launcherSource)).digest('hex').slice(0, 12);
  const cache = join(repoRoot, 'node_modules', '.cache', 'support-chat');
  const dir = join(cache, `dynamodb-local-loopback-${version}`);
  if (existsSync(join(dir, launcherClass))) return dir;
  let staging: string;
  try {
    mkdirSync(cache, { recursive: true });
    staging = mkdtempSync(join(cache, 'staging-'));
  } catch {
    const own = mkdtempSync(join(tmpdir(), 'support-chat-dynamodb-local-'));
    return compileLauncher(own) ? own : undefined;
  }
  // Compile into a fresh folder and rename it into place, so that two starts at once cannot see half a class.
  if (!compileLauncher(staging)) {
    rmSync(staging, { recursive: true, force: true });
    return undefined;
  }
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another start got there first
  }
  return dir;
}

/**
 * Starts DynamoDB Local on 127.0.0.1 (see README "The local stack"). The jar itself
 * has no host option and listens on every interface; DynamoDbLocalLoopback.java binds
 * it to loopback, and ends it when this process dies (its stdin closes). Only where that
 * launcher cannot be compiled does the jar run as is, and `listening` says so.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJava();
  const { jar, libraryPath } = dynamoDbLocalJar();
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar not found at ${jar}; run npm ci`);
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? '.local/dynamodb';
  const storage = options.inMemory ? ['-inMemory'] : ['-dbPath', resolve(dataDir)];
  if (!options.inMemory) mkdirSync(dataDir, { recursive: true });
  // DynamoDB Local drops a metadata file in its working directory; keep it out of the repo.
  const cwd = options.inMemory ? mkdtempSync(join(tmpdir(), 'dynamodb-local-')) : dataDir;
  const jarOptions = ['-port', String(options.port), '-sharedDb', '-disableTelemetry', ...storage];
  const launcher = loopbackLauncher();
  const args = launcher
    ? [`-Djava.library.path=${libraryPath}`, '-cp', [launcher, jar].join(delimiter), 'DynamoDbLocalLoopback', host, ...jarOptions]
    : [`-Djava.library.path=${libraryPath}`, '-jar', jar, ...jarOptions];
  // stdin stays an open pipe: the launcher exits when it closes.
  const child = spawn('java', args, { stdio: ['pipe', 'ignore', 'pipe'], cwd });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://${host}:${options.port}`;
  try {
    await waitUntilReady(endpoint, child, () => errors);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    listening: launcher ? host : 'all interfaces',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
