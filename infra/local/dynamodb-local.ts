import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../lib/aws-http';

export interface DynamoDbLocalOptions {
  port: number;
  /** Folder for the database file; ignored when inMemory. */
  dataDir?: string;
  inMemory?: boolean;
  host?: string;
}

export interface DynamoDbLocal {
  endpoint: string;
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

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJava();
  const { jar, libraryPath } = dynamoDbLocalJar();
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar not found at ${jar}; run npm ci`);
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? '.local/dynamodb';
  const storage = options.inMemory ? ['-inMemory'] : ['-dbPath', dataDir];
  if (!options.inMemory) mkdirSync(dataDir, { recursive: true });
  // DynamoDB Local drops a metadata file in its working directory; keep it out of the repo.
  const cwd = options.inMemory ? mkdtempSync(join(tmpdir(), 'dynamodb-local-')) : dataDir;
  const child = spawn(
    'java',
    [`-Djava.library.path=${libraryPath}`, '-jar', jar, '-port', String(options.port), '-sharedDb', '-disableTelemetry', ...storage.map((arg) => (arg === dataDir ? resolve(dataDir) : arg))],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd },
  );
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
