/**
 * Tests run the TypeScript sources through ts-jest in transpile-only mode (tsc checks types
 * separately: npm run typecheck). Pure JavaScript on purpose: transformers with per-platform native
 * binaries (swc) cannot be locked for every platform from this project's registry mirror.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
