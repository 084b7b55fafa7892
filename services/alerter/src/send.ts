import type { Notifier } from './rules';

/** Issue #10: a delivery attempt is given up after 5 s. */
export const DELIVERY_TIMEOUT_MS = 5000;

export type SendResult =
  | { ok: true }
  /** retryable: network errors, timeouts, 408, 429 and 5xx; retryAfterMs from the answer's Retry-After. */
  | { ok: false; retryable: boolean; error: string; retryAfterMs: number | null };

/**
 * POSTs a body in the notifier's format (formats.ts renders it). Never throws; the error text
 * names the failure (HTTP status, network error code, timeout) and never the URL, which carries
 * secrets.
 */
export async function send(notifier: Notifier, body: unknown, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<SendResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'mediamtx-monitor-alerter' };
  if (notifier.authorization !== null) headers.authorization = notifier.authorization;
  let res: Response;
  try {
    res = await fetch(notifier.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not needed; it is read (within the timeout) so the connection can be reused.
    await res.arrayBuffer();
  } catch (err) {
    return { ok: false, retryable: true, error: networkError(err, timeoutMs), retryAfterMs: null };
  }
  if (res.status >= 200 && res.status < 300) return { ok: true };
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  const error = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  return { ok: false, retryable, error, retryAfterMs: retryable ? retryAfter(res.headers.get('retry-after'), Date.now()) : null };
}

function networkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  if (e?.cause?.code) return `network error: ${e.cause.code}`;
  // A message is kept only when it cannot hold an address (e.g. fetch's "bad port").
  const message = e?.cause?.message ?? '';
  return /^[A-Za-z][\w .-]{0,79}$/.test(message) ? `network error: ${message}` : 'network error';
}

/** Retry-After as delay-seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfter(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The wait before the next attempt: the server's Retry-After, else base doubling per failed attempt, at most max. */
export function retryDelay(attempts: number, retryAfterMs: number | null, baseMs: number, maxMs: number): number {
  if (retryAfterMs !== null) return retryAfterMs;
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}
