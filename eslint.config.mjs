import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '*.js', 'ci/coord-hooks.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [{ name: 'child_process', message: 'Only git/ and core/process.ts spawn processes.' },
                { name: 'node:child_process', message: 'Only git/ and core/process.ts spawn processes.' }],
      }],
    },
  },
  { files: ['git/**/*.ts', 'core/process.ts'], rules: { 'no-restricted-imports': 'off' } },
);
