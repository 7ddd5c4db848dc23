import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * The layers the README's "Project layout" and docs/DATA_MODEL.md describe:
 * entities own their keys and every DynamoDB command, the domain in lib/chat
 * sits on top of them, and the deployed stack does not depend on the local
 * emulation. These rules read the import statements, so a shortcut fails here
 * rather than in review.
 */
const root = resolve(__dirname, '../..');

interface Import {
  file: string;
  /** The module as written, e.g. '../chat/views' or '@aws-sdk/lib-dynamodb'. */
  source: string;
  /** Repo-relative path of a relative import, without extension; undefined for packages. */
  target?: string;
  /** Names imported as values (not `import type` / `type X`). */
  valueNames: string[];
  names: string[];
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const names: string[] = [];
    const valueNames: string[] = [];
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const allTypes = clause?.isTypeOnly ?? false;
      if (clause?.name) {
        names.push(clause.name.text);
        if (!allTypes) valueNames.push(clause.name.text);
      }
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        names.push('*');
        if (!allTypes) valueNames.push('*');
      } else if (bindings) {
        for (const element of bindings.elements) {
          const name = (element.propertyName ?? element.name).text;
          names.push(name);
          if (!allTypes && !element.isTypeOnly) valueNames.push(name);
        }
      }
    } else {
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          const name = (element.propertyName ?? element.name).text;
          names.push(name);
          if (!statement.isTypeOnly && !element.isTypeOnly) valueNames.push(name);
        }
      } else {
        names.push('*');
        if (!statement.isTypeOnly) valueNames.push('*');
      }
    }
    const target = specifier.text.startsWith('.')
      ? relative(root, resolve(dirname(join(root, file)), specifier.text)).split(sep).join('/')
      : undefined;
    found.push({ file, source: specifier.text, target, names, valueNames });
  }
  return found;
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const describeImport = ({ file, source, names }: Import) => `${file}: { ${names.join(', ')} } from '${source}'`;

const dynamoPackages = new Set(['@aws-sdk/lib-dynamodb', '@aws-sdk/client-dynamodb']);
const appFiles = [...sourceFiles('lib'), ...sourceFiles('functions')];

describe('the layers', () => {
  it('finds the code it checks (the rules are not vacuous)', () => {
    const entityImports = sourceFiles('lib/entities').flatMap(importsOf);

    expect(appFiles.length).toBeGreaterThan(50);
    expect(entityImports.some((entry) => dynamoPackages.has(entry.source) && entry.names.some((name) => name.endsWith('Command')))).toBe(true);
  });

  it('leaves every DynamoDB command to lib/entities/ (and the client factory in lib/db/)', () => {
    const outside = appFiles.filter((file) => !within(file, 'lib/entities') && !within(file, 'lib/db'));

    const raw = outside
      .flatMap(importsOf)
      .filter((entry) => dynamoPackages.has(entry.source))
      // A type such as DynamoDBDocumentClient may be passed around; commands and values may not.
      .filter((entry) => entry.valueNames.length > 0 || entry.names.some((name) => /Command(Input|Output)?$/.test(name)));

    expect(raw.map(describeImport)).toEqual([]);
  });

  it('keeps lib/entities/ below lib/chat/: no entity imports from the domain', () => {
    const upward = sourceFiles('lib/entities')
      .flatMap(importsOf)
      .filter((entry) => entry.target !== undefined && within(entry.target, 'lib/chat'));

    expect(upward.map(describeImport)).toEqual([]);
  });

  it('keeps the deployed stack free of the local emulation (infra/local/)', () => {
    const deployed = ['infra/app.ts', 'infra/stack.ts', 'infra/paths.ts', ...sourceFiles('infra/constructs')];

    const local = deployed.flatMap(importsOf).filter((entry) => entry.target !== undefined && within(entry.target, 'infra/local'));

    expect(local.map(describeImport)).toEqual([]);
  });
});
