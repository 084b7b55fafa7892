/** One jest run for every workspace; TypeScript is transpiled by swc (tsc -b does the type checking). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/services', '<rootDir>/mediamtx-test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    '^@mmon/shared$': '<rootDir>/services/shared/src/index.ts',
    '^@mmon/mediamtx-test$': '<rootDir>/mediamtx-test/src/index.ts',
    '^@mmon/test-support$': '<rootDir>/services/shared/test/support/index.ts',
  },
  testTimeout: 30000,
};
