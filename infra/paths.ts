import { join } from 'node:path';

/** Manifest handler paths are relative to this folder. */
export const repoRoot = join(__dirname, '..');
