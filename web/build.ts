/**
 * Builds the admin console (web/src) into one folder of static files: index.html, app.js, app.css.
 * esbuild, the bundler the Lambda functions already use (infra/constructs/bundling.ts), with Preact's JSX.
 * `config.json` is not built: the local gateway serves one pointing at the local stack, and the CDK stack
 * writes one at deploy time (README "Admin console").
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const consoleSourceDir = resolve(__dirname, 'src');
const publicDir = resolve(__dirname, 'public');
/** Where `npm run build:web` and `npm start` put the console; gitignored. */
export const defaultConsoleBuildDir = resolve(__dirname, 'dist');

export interface ConsoleBuild {
  outDir: string;
  /** File names (relative to outDir) of everything built, config.json excluded. */
  files: string[];
}

export async function buildConsole(outDir: string = defaultConsoleBuildDir, options: { minify?: boolean } = {}): Promise<ConsoleBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(consoleSourceDir, 'main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: options.minify ?? true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
    tsconfig: join(__dirname, 'tsconfig.json'),
  });
  for (const name of readdirSync(publicDir)) copyFileSync(join(publicDir, name), join(outDir, name));
  return { outDir, files: readdirSync(outDir).sort() };
}

if (require.main === module) {
  buildConsole()
    .then(({ outDir, files }) => console.log(`Console built in ${outDir}: ${files.join(', ')}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
