import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../../infra/local/defaults';

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in the repo to completion. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The ops CLI as `npm run -s chatctl -- <args>` runs it (tsx over infra/cli/chatctl.ts), without npm's own
 * start-up (about 0.6 s a call); the tests of the npm wiring itself still go through npm.
 */
export function runChatctl(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return run(process.execPath, ['--import', 'tsx', 'infra/cli/chatctl.ts', ...args], env);
}

export interface Running {
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts a long-running command and resolves once its output matches `ready`. */
export function startUntil(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 60_000): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, detached: true });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`not ready in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const running: Running = {
      child,
      output: () => output,
      stop: () =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
          child.once('exit', (code) => done(code));
          // The whole group: npm, node and the DynamoDB Local JVM.
          process.kill(-child.pid!, 'SIGINT');
        }),
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(running);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${output}`));
    });
  });
}
