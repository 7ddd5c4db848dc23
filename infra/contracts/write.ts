/**
 * `npm run contracts`: writes docs/openapi.json and docs/asyncapi.json from the route manifest and
 * the zod schemas (README "Contracts"). test/unit/contracts.test.ts fails while they are out of date.
 */
import { writeFileSync } from 'node:fs';
import { clientTypesPath, clientTypesText } from './client-types';
import { contractFiles } from './documents';

const files = contractFiles();
for (const { path, text } of files) {
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}

// The typed client's types come from the OpenAPI file just written (README "Contracts").
void clientTypesText(files[0]!.document).then((types) => {
  writeFileSync(clientTypesPath, types);
  console.log(`wrote ${clientTypesPath}`);
});
