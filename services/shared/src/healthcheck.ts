/**
 * Container healthcheck of a service without an HTTP port: exits 0 when the heartbeat file
 * (HEARTBEAT_FILE) was written within HEARTBEAT_MAX_AGE_MS (default 60 s), else 1 with the reason.
 *   node services/shared/dist/healthcheck.js
 */
import { statSync } from 'node:fs';

const file = process.env.HEARTBEAT_FILE;
const maxAgeMs = Number(process.env.HEARTBEAT_MAX_AGE_MS ?? 60_000);
if (!file) {
  process.stderr.write('HEARTBEAT_FILE is not set\n');
  process.exit(1);
}
try {
  const ageMs = Date.now() - statSync(file).mtimeMs;
  if (ageMs > maxAgeMs) {
    process.stderr.write(`heartbeat is ${Math.round(ageMs / 1000)} s old (limit ${Math.round(maxAgeMs / 1000)} s)\n`);
    process.exit(1);
  }
} catch {
  process.stderr.write('no heartbeat yet\n');
  process.exit(1);
}
