import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tunableVariables } from '../../lib/config';

/** The rows of README "The local stack"'s table of `npm start` environment variables. */
function documentedVariables(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('Environment variables of `npm start`'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| variable |')));
  return [...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!);
}

describe('README table of npm start environment variables', () => {
  it('lists every port and data variable and every limit the functions read from the environment', () => {
    const documented = documentedVariables();

    for (const variable of ['PORT', 'WS_PORT', 'S3_PORT', 'DYNAMODB_PORT', 'LOCAL_DATA_DIR', 'LOCAL_IN_MEMORY', ...tunableVariables]) {
      expect(documented).toContain(variable);
    }
  });
});
