import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';

export interface Machine {
  os: string;
  cpu: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  java: string;
}

function distribution(): string | undefined {
  try {
    const match = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return match?.[1];
  } catch {
    return undefined;
  }
}

/** `java -version` writes to stderr; its first line names the runtime. */
function javaVersion(): string {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const text = `${probe.stderr ?? ''}${probe.stdout ?? ''}`.split('\n')[0]?.trim();
  return text || 'not found';
}

export function describeMachine(): Machine {
  const cores = cpus();
  return {
    os: [distribution(), `${type()} ${release()}`].filter(Boolean).join(', '),
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cpuCount: cores.length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    java: javaVersion(),
  };
}
