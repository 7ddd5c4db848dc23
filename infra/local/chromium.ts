import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium from Debian's `chromium` package, driven by playwright-core (which ships no browser and
 * downloads none). The browser tests (test/support/browser.ts) and the console's benchmark (bench/console.ts)
 * both launch it here, with the same flags.
 */

/** Flags for a quiet, deterministic headless run on a CI box: no sandbox (containers), no GPU, no phoning home. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `CHROMIUM_PATH`, else `command -v chromium`; a clear error when neither names a browser. */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist: install Debian's chromium (.ci/run does) or fix the path`);
    return fromEnv;
  }
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // falls through to the error below
  }
  throw new Error("Chromium not found: the browser tests need Debian's chromium (`sudo apt-get install chromium`, as .ci/run does) or CHROMIUM_PATH set to a Chromium binary");
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
}
