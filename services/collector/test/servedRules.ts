/**
 * The rules of issue #13 for every value the monitor serves, as one check for the property tests
 * and the soak test: strings are valid Unicode and at most 1024 characters; numbers are finite, >= 0 and at most 2^64; rates
 * and capacities (fields named *Mbps* / mbps*) at most 1,000,000 Mbit/s; RTTs and latencies at
 * most an hour.
 */
const MAX_MBPS = 1_000_000;
const MAX_MS = 3_600_000;
const MAX_TEXT = 1024;
const MS_KEYS = new Set(['rtt', 'rttMs', 'rttP50Ms', 'rttP95Ms', 'latencyMs', 'jitter']);

/** The places where `value` breaks a rule, as "path: what" (empty when it keeps them all). */
export function breaches(value: unknown, at = '', out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (!value.isWellFormed()) out.push(`${at}: not valid Unicode`);
    if (value.length > MAX_TEXT) out.push(`${at}: ${value.length} characters`);
  } else if (typeof value === 'number') {
    const key = at.slice(at.lastIndexOf('.') + 1);
    if (!Number.isFinite(value) || value < 0 || value > 2 ** 64) out.push(`${at}: ${value}`);
    else if (/mbps/i.test(key) && value > MAX_MBPS) out.push(`${at}: ${value} Mbit/s`);
    else if (MS_KEYS.has(key) && value > MAX_MS) out.push(`${at}: ${value} ms`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => breaches(v, `${at}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (!k.isWellFormed()) out.push(`${at}: key not valid Unicode`);
      breaches(v, at === '' ? k : `${at}.${k}`, out);
    }
  }
  return out;
}
