import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RedisServer } from '@mmon/test-support';
import type { RunningApi } from '../src/server';
import { call, login, openWs, startAuthApi, writeUsersFile } from './authSupport';

const TOKEN = 'scrape-token-0123456789abcdef';

describe('behind a single sign-on proxy (AUTH_PROXY_HEADER, AUTH_TRUSTED_PROXIES)', () => {
  let redisServer: RedisServer;
  let api: RunningApi;
  const user = (name: string) => ({ 'x-forwarded-user': name });

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    // Roles only: behind the proxy the hash may be left empty; users not listed are viewers.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mmon-users-'));
    writeFileSync(path.join(dir, 'roles'), 'carol:admin:\n');
    api = await startAuthApi(redisServer.url, {
      AUTH_PROXY_HEADER: 'X-Forwarded-User',
      AUTH_TRUSTED_PROXIES: '127.0.0.2, 127.0.0.64/30',
      MONITOR_USERS_FILE: path.join(dir, 'roles'),
    });
  });
  afterAll(async () => {
    await api.close();
    await redisServer.stop();
  });

  test('the header names the user only when it comes from a trusted proxy; otherwise, or without it, 401', async () => {
    const me = await call(api.port, 'GET', '/api/me', { headers: user('carol'), from: '127.0.0.2' });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: 'carol', role: 'admin', mode: 'proxy', maskedAddresses: false });
    // a CIDR entry; an unlisted user is a viewer
    expect((await call(api.port, 'GET', '/api/me', { headers: user('dave'), from: '127.0.0.65' })).body).toMatchObject({ user: 'dave', role: 'viewer', maskedAddresses: true });
    expect((await call(api.port, 'GET', '/api/streams/latest', { headers: user('carol'), from: '127.0.0.2' })).status).toBe(200);

    for (const [from, headers] of [
      ['127.0.0.3', user('carol')], // not a trusted proxy: the header is anybody's
      ['127.0.0.1', user('carol')],
      ['127.0.0.68', user('carol')], // just outside 127.0.0.64/30
      ['127.0.0.2', {}], // the proxy, but nobody named
      ['127.0.0.2', user('')],
      ['127.0.0.2', user('carol, mallory')], // a proxy that appended to a client's header
    ] as const) {
      const res = await call(api.port, 'GET', '/api/streams/latest', { headers, from });
      expect([from, headers, res.status, res.body]).toEqual([from, headers, 401, { error: 'login required', status: 401 }]);
    }
    // password login is not used here
    expect((await call(api.port, 'POST', '/api/login', { json: { user: 'carol', password: 'x' }, from: '127.0.0.2' })).status).toBe(404);
  });

  test('the WebSocket handshake follows the same rule', async () => {
    const ok = await openWs(api.port, { headers: user('carol'), from: '127.0.0.2' });
    expect('ws' in ok).toBe(true);
    if ('ws' in ok) ok.ws.close();
    expect(await openWs(api.port, { headers: user('carol'), from: '127.0.0.3' })).toMatchObject({ status: 401 });
    expect(await openWs(api.port, { from: '127.0.0.2' })).toMatchObject({ status: 401 });
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let redisServer: RedisServer;
  const apis: RunningApi[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
  });
  afterAll(async () => {
    for (const api of apis) await api.close();
    await redisServer.stop();
  });

  test('the bearer token is required, with users (a session is not enough) and without', async () => {
    const withUsers = await startAuthApi(redisServer.url, { MONITOR_USERS_FILE: await writeUsersFile(), METRICS_TOKEN: TOKEN });
    const open = await startAuthApi(redisServer.url, { METRICS_TOKEN: TOKEN });
    apis.push(withUsers, open);
    const { cookie } = await login(withUsers.port, 'alice');
    for (const api of [withUsers, open]) {
      const refused: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }, { cookie }];
      for (const headers of refused) {
        const res = await call(api.port, 'GET', '/metrics', { headers });
        expect([headers, res.status, res.body]).toEqual([headers, 401, { error: 'metrics token required', status: 401 }]);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      }
      const res = await call(api.port, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.text).toContain('# TYPE');
      expect(res.text).not.toContain(TOKEN);
    }
    // the token opens /metrics only
    expect((await call(withUsers.port, 'GET', '/api/streams/latest', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
  });
});
