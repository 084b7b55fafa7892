/**
 * The end-to-end suite against a running Compose stack (`make e2e` brings it up and down):
 *   E2E_BASE_URL=http://127.0.0.1:8080 npx jest -c e2e/jest.config.js e2e/compose.e2e.ts
 * E2E_STREAM names the test pattern's path (default "testpattern", as compose.yaml publishes it).
 */
import { stackSuite } from './suite';

const base = process.env.E2E_BASE_URL;

describe(`the Compose stack at ${base ?? '(E2E_BASE_URL not set)'}`, () => {
  test('is given by E2E_BASE_URL', () => {
    expect(base).toMatch(/^https?:\/\/[^/]+$/);
  });
  stackSuite(() => ({ base: base!, stream: process.env.E2E_STREAM ?? 'testpattern' }));
});
