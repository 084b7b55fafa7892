/**
 * The end-to-end suite (not part of the root jest run: it needs a running stack).
 *   make e2e          compose.e2e.ts against `docker compose up` (E2E_BASE_URL)
 *   make e2e-native   native.e2e.ts, which starts the stack natively on loopback
 */
const root = require('../jest.config.js');

module.exports = {
  ...root,
  rootDir: '..',
  roots: ['<rootDir>/e2e'],
  testMatch: ['<rootDir>/e2e/*.e2e.ts'],
  testTimeout: 120000,
};
