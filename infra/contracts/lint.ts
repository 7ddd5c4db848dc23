/**
 * Lints the committed contracts with the ecosystem's own tools and prints what they found as JSON:
 * Redocly's OpenAPI linter (its `recommended` rules) and the AsyncAPI parser (its Spectral rules).
 * test/unit/contracts.test.ts runs it in a child process: @redocly/openapi-core is an ES module,
 * which Jest's CommonJS runtime cannot load. `node --import tsx infra/contracts/lint.ts` runs it by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';

/** Why each rule is changed: README "Contracts", "Lint". */
export const redoclyRules = {
  // Seed 000 gives POST /v1/chat/store/message/ with its slash, and the paths are documented as clients call them;
  // CloudFront strips the slash (README "Send Message (Store)"), so both forms reach the same route.
  'no-path-trailing-slash': 'off',
} as const;

export interface Finding {
  tool: 'redocly' | 'asyncapi';
  severity: 'error' | 'warning' | 'info' | 'hint';
  rule: string;
  message: string;
  where: string;
}

const spectralSeverity = ['error', 'warning', 'info', 'hint'] as const;

export async function lintContracts(docs: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  // An ES module: imported, not required (this file is CommonJS, as the repository is).
  const { createConfig, lint } = await import('@redocly/openapi-core');
  const config = await createConfig({ extends: ['recommended'], rules: redoclyRules });
  for (const problem of await lint({ ref: join(docs, 'openapi.json'), config })) {
    findings.push({
      tool: 'redocly',
      severity: problem.severity === 'error' ? 'error' : 'warning',
      rule: problem.ruleId,
      message: problem.message,
      where: problem.location[0]?.pointer ?? '',
    });
  }
  const { diagnostics } = await new Parser().parse(readFileSync(join(docs, 'asyncapi.json'), 'utf8'));
  for (const diagnostic of diagnostics) {
    findings.push({
      tool: 'asyncapi',
      severity: spectralSeverity[diagnostic.severity] ?? 'error',
      rule: String(diagnostic.code),
      message: diagnostic.message,
      where: diagnostic.path.join('/'),
    });
  }
  return findings;
}

if (require.main === module) {
  lintContracts(join(__dirname, '..', '..', 'docs')).then(
    (findings) => console.log(JSON.stringify(findings)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
