import { join } from 'node:path';

/** Manifest handler paths are relative to this folder. */
export const repoRoot = join(__dirname, '..');

/** The CloudFront Function's source: deployed by stack.ts, and run by the local HTTP gateway (local/edge.ts). */
export const viewerRequestFunctionPath = join(__dirname, 'edge', 'viewer-request.js');
