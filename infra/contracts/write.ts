/**
 * `npm run contracts`: writes docs/openapi.json and docs/asyncapi.json from the route manifest and
 * the zod schemas (README "Contracts"). test/unit/contracts.test.ts fails while they are out of date.
 */
import { writeFileSync } from 'node:fs';
import { contractFiles } from './documents';

for (const { path, text } of contractFiles()) {
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
