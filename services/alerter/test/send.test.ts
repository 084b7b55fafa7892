import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertNotification } from '@mmon/shared';
import { retryAfter, retryDelay, send } from '../src/send';
import type { Notifier } from '../src/rules';

const note: AlertNotification = {
  status: 'firing',
  rule: 'r',
  kind: 'stream.offline',
  severity: 'warn',
  subject: { node: 'n', name: 's' },
  value: null,
  threshold: null,
  startsAt: '2026-12-01T10:00:00.000Z',
  summary: 'WARN r: stream s on node n: offline',
  dashboardUrl: null,
};

describe('delivery', () => {
  it('gives up an attempt after the timeout, as a retryable failure that does not name the URL', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret`;
    const notifier: Notifier = { name: 'h', type: 'webhook', endpoint, authorization: null, topic: null };
    try {
      expect(await send(notifier, note, 200)).toEqual({ ok: false, retryable: true, error: 'timeout after 200 ms', retryAfterMs: null });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    expect(retryAfter('7', now)).toBe(7000);
    expect(retryAfter('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfter('soon', now)).toBeNull();
    expect(retryAfter(null, now)).toBeNull();
  });

  it('backs off by doubling from the base up to the maximum, or waits what the server asked', () => {
    expect([1, 2, 3, 4, 10].map((a) => retryDelay(a, null, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(retryDelay(1, 30_000, 1000, 5000)).toBe(30_000);
  });
});
