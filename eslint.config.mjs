import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'coverage/', 'web/dist/', 'infra/edge/*.js', 'test/support/esbuild-transform.js', 'jest.config.js', 'jest.stress.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip)$/]", message: 'No focused or skipped tests.' },
        { selector: "CallExpression[callee.name=/^(xit|xdescribe|fit|fdescribe)$/]", message: 'No focused or skipped tests.' },
        { selector: "MemberExpression[object.name='JSON'][property.name='parse'] > .arguments MemberExpression[property.name='body']", message: 'Parse event bodies through lib/http/request.' },
        // `import { z }` keeps all of zod in every bundle (444 KB) and triples its init; see docs/PERFORMANCE.md.
        { selector: "ImportDeclaration[source.value=/^zod(\\u002Fmini)?$/] > ImportSpecifier", message: "Import zod as a namespace, `import * as z from 'zod'`, so esbuild can tree-shake it." },
        { selector: "ImportDeclaration[source.value=/(^|\\u002F)validation$/] > ImportSpecifier", message: "Import lib/validation as a namespace, `import * as z from '../validation'`, so esbuild can tree-shake zod." },
      ],
    },
  },
  {
    // Functions validate with zod/mini and its English messages, set up once in lib/validation.ts (docs/ARCHITECTURE.md, "Validation: zod/mini").
    files: ['lib/**/*.ts', 'functions/**/*.ts'],
    ignores: ['lib/validation.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['zod', 'zod/*'], message: "Import zod from lib/validation (`import * as z from '../validation'`): it loads zod/mini with the English locale." }] }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
