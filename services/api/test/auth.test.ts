import Redis from 'ioredis';
import { StreamStore, keys } from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';
import type { RunningApi } from '../src/server';
import { LOGIN_LIMITS } from '../src/auth/auth';
import { CLOSE_SESSION_ENDED } from '../src/ws';
import { PASSWORDS, call, login, openWs, startAuthApi, writeUsersFile } from './authSupport';
import { detailPart, publish, summary } from './fixtures';

const LOGIN_REQUIRED = { error: 'login required', status: 401 };
const WRONG = { error: 'wrong user or password', status: 401 };

/** Every /api/ path the api serves (and a few spellings of them), none of which may answer without a session. */
const PROTECTED = [
  '/api/streams/latest',
  '/api/streams/latest?detail=1',
  '/api/streams/latest?node=n',
  '/api/streams/detail?node=n&name=cam',
  '/api/nodes',
  '/api/system/latest',
  '/api/snapshots/latest',
  '/api/snapshots/n/cam.jpg',
  '/api/history?node=n&name=cam',
  '/api/history/system',
  '/api/alerts',
  '/api/alerts/history',
  '/api/alerts/rules',
  '/api/me',
  '/api/ws',
  '/api/nope',
  '/api',
  '/API/streams/latest',
  '/api/streams/latest/',
  '/%61pi/streams/latest',
  '//api//nodes',
  '/metrics',
];

describe('access control with users (MONITOR_USERS_FILE)', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let api: RunningApi;
  let usersFile: string;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    usersFile = await writeUsersFile();
    api = await startAuthApi(redisServer.url, { MONITOR_USERS_FILE: usersFile, AUTH_TRUSTED_PROXIES: '127.0.0.2' });
    await publish(new StreamStore(redis, 60), 'n', [summary('n', 'cam')], undefined, { cam: detailPart('r1') });
  });
  beforeEach(async () => {
    // failed-login counters of earlier tests
    for (const kind of ['address', 'user'] as const) for (const key of await redis.keys(`${keys.loginFailures(kind)}:*`)) await redis.del(key);
  });
  afterAll(async () => {
    await api.close();
    redis.disconnect();
    await redisServer.stop();
  });

  test('without a session every /api/ path but login and health, and /metrics, answer 401 JSON; the dashboard and health answer', async () => {
    for (const path of PROTECTED) {
      const res = await call(api.port, 'GET', path);
      expect([path, res.status, res.body]).toEqual([path, 401, LOGIN_REQUIRED]);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
    expect((await call(api.port, 'GET', '/api/streams/latest', { headers: { cookie: 'mmon_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).status).toBe(401);
    expect((await call(api.port, 'GET', '/api/health')).status).toBe(200);
    const page = await call(api.port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  test('a wrong password and an unknown user answer alike and set no cookie; the right password sets an HttpOnly, SameSite=Strict, expiring cookie', async () => {
    const wrongPassword = await call(api.port, 'POST', '/api/login', { json: { user: 'alice', password: 'nope-nope-nope' } });
    const unknownUser = await call(api.port, 'POST', '/api/login', { json: { user: 'mallory', password: 'nope-nope-nope' } });
    for (const res of [wrongPassword, unknownUser]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(WRONG);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(Object.keys(wrongPassword.headers).sort()).toEqual(Object.keys(unknownUser.headers).sort());
    expect((await call(api.port, 'POST', '/api/login', { json: { user: 'alice' } })).status).toBe(400);
    expect((await call(api.port, 'POST', '/api/login', { headers: { 'content-type': 'text/plain' } })).status).toBe(400);

    const ok = await call(api.port, 'POST', '/api/login', { json: { user: 'alice', password: PASSWORDS.alice } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ user: 'alice', role: 'admin', expiresAt: expect.any(String) });
    const [setCookie] = ok.headers['set-cookie']!;
    expect(setCookie).toMatch(/^mmon_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; Max-Age=43200/);
    expect(setCookie).toMatch(/; Expires=/);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP, from no trusted proxy
    const cookie = setCookie.split(';')[0];
    const token = cookie.split('=')[1];

    const streams = await call(api.port, 'GET', '/api/streams/latest', { headers: { cookie } });
    expect(streams.status).toBe(200);
    expect(streams.body).toEqual([summary('n', 'cam')]);
    expect((await call(api.port, 'GET', '/api/me', { headers: { cookie } })).body).toEqual({ user: 'alice', role: 'admin', mode: 'password', maskedAddresses: false });
    // Redis holds the session under the token's hash, not the token
    const sessionKeys = await redis.keys(keys.session('*'));
    expect(sessionKeys.length).toBeGreaterThan(0);
    expect(sessionKeys.join()).not.toContain(token);
    expect(await redis.pttl(sessionKeys[0])).toBeGreaterThan(43_000_000);
    // the token is nowhere in an answer body
    expect(ok.text).not.toContain(token);
  });

  test('the cookie is Secure when the request came over HTTPS through a trusted proxy, not when an untrusted client says so', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const trusted = await login(api.port, 'bob', '127.0.0.2').catch(() => null);
    expect(trusted).not.toBeNull();
    const viaProxy = await call(api.port, 'POST', '/api/login', { json: { user: 'bob', password: PASSWORDS.bob }, headers: https, from: '127.0.0.2' });
    expect(viaProxy.headers['set-cookie']![0]).toMatch(/; Secure/);
    const direct = await call(api.port, 'POST', '/api/login', { json: { user: 'bob', password: PASSWORDS.bob }, headers: https, from: '127.0.0.3' });
    expect(direct.status).toBe(200);
    expect(direct.headers['set-cookie']![0]).not.toMatch(/Secure/);
  });

  test('failed logins are limited per user (429 with Retry-After, even for the right password), then per address', async () => {
    // per user: failures from several addresses count together
    for (let i = 0; i < LOGIN_LIMITS.user; i++) {
      const res = await call(api.port, 'POST', '/api/login', { json: { user: 'bob', password: `wrong-${i}` }, from: `127.0.0.${10 + i}` });
      expect(res.status).toBe(401);
    }
    const limited = await call(api.port, 'POST', '/api/login', { json: { user: 'bob', password: PASSWORDS.bob }, from: '127.0.0.30' });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'too many failed logins, try again later', status: 429 });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_LIMITS.windowSeconds);
    // an unknown user is limited the same way (its answers tell nothing about existence)
    for (let i = 0; i < LOGIN_LIMITS.user; i++) await call(api.port, 'POST', '/api/login', { json: { user: 'nobody', password: 'x' }, from: '127.0.0.31' });
    expect((await call(api.port, 'POST', '/api/login', { json: { user: 'nobody', password: 'x' }, from: '127.0.0.32' })).status).toBe(429);
    // alice is not affected
    await login(api.port, 'alice', '127.0.0.30');

    // per address: failures for many user names from one address
    const from = '127.0.0.40';
    for (let i = 0; i < LOGIN_LIMITS.address; i++) {
      expect((await call(api.port, 'POST', '/api/login', { json: { user: `guess${i}`, password: 'x' }, from })).status).toBe(401);
    }
    const blocked = await call(api.port, 'POST', '/api/login', { json: { user: 'alice', password: PASSWORDS.alice }, from });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await login(api.port, 'alice', '127.0.0.41'); // another address still logs in
  });

  test('behind a trusted proxy failures count per forwarded client (X-Forwarded-For); from anyone else the header is ignored', async () => {
    const fail = (from: string, forwardedFor: string, i: number) =>
      call(api.port, 'POST', '/api/login', { json: { user: `guess${i}`, password: 'x' }, from, headers: { 'x-forwarded-for': forwardedFor } });
    // 127.0.0.2 is in AUTH_TRUSTED_PROXIES: its clients are told apart by the address it forwards
    for (let i = 0; i < LOGIN_LIMITS.address; i++) expect((await fail('127.0.0.2', '198.51.100.7', i)).status).toBe(401);
    expect((await fail('127.0.0.2', '198.51.100.7', 99)).status).toBe(429);
    const other = await call(api.port, 'POST', '/api/login', { json: { user: 'alice', password: PASSWORDS.alice }, from: '127.0.0.2', headers: { 'x-forwarded-for': '198.51.100.8' } });
    expect(other.status).toBe(200);
    // 127.0.0.50 is not trusted: a forged header changes nothing, its own address is counted
    for (let i = 0; i < LOGIN_LIMITS.address; i++) expect((await fail('127.0.0.50', `203.0.113.${i}`, i)).status).toBe(401);
    expect((await fail('127.0.0.50', '203.0.113.200', 99)).status).toBe(429);
  });

  test('state-changing requests need the same origin (Sec-Fetch-Site or Origin) and logout needs the cookie', async () => {
    const refused = { error: 'cross-origin request refused', status: 403 };
    const creds = { user: 'alice', password: PASSWORDS.alice };
    const foreign: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://evil.example' }, { origin: 'null' }];
    for (const headers of foreign) {
      const res = await call(api.port, 'POST', '/api/login', { json: creds, headers });
      expect([headers, res.status, res.body]).toEqual([headers, 403, refused]);
    }
    const host = `127.0.0.1:${api.port}`;
    expect((await call(api.port, 'POST', '/api/login', { json: creds, headers: { 'sec-fetch-site': 'same-origin', origin: `http://${host}` } })).status).toBe(200);
    expect((await call(api.port, 'POST', '/api/login', { json: creds, headers: { origin: `http://${host}` } })).status).toBe(200);

    const { cookie } = await login(api.port, 'alice');
    expect((await call(api.port, 'POST', '/api/logout')).status).toBe(401);
    expect((await call(api.port, 'POST', '/api/logout', { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await call(api.port, 'POST', '/api/logout', { headers: { cookie, origin: 'http://evil.example' } })).status).toBe(403);
    // still logged in
    expect((await call(api.port, 'GET', '/api/me', { headers: { cookie } })).status).toBe(200);
    const out = await call(api.port, 'POST', '/api/logout', { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']![0]).toMatch(/^mmon_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await call(api.port, 'GET', '/api/me', { headers: { cookie } })).body).toEqual(LOGIN_REQUIRED);
  });

  test('the WebSocket handshake is refused with 401 without a session and 403 from another origin; logout closes the socket', async () => {
    const refused = await openWs(api.port);
    expect(refused).toEqual({ status: 401, body: JSON.stringify(LOGIN_REQUIRED) });
    expect(await openWs(api.port, { headers: { cookie: 'mmon_session=x' } })).toMatchObject({ status: 401 });

    const { cookie } = await login(api.port, 'bob');
    expect(await openWs(api.port, { headers: { cookie, origin: 'http://evil.example' } })).toMatchObject({ status: 403 });
    const open = await openWs(api.port, { headers: { cookie, origin: `http://127.0.0.1:${api.port}` } });
    if (!('ws' in open)) throw new Error(`refused: ${open.status}`);
    await eventually(() => expect(open.messages.map((m) => m.type)).toContain('streams'));
    const closed = new Promise<number>((resolve) => open.ws.once('close', (code) => resolve(code)));
    expect((await call(api.port, 'POST', '/api/logout', { headers: { cookie } })).status).toBe(204);
    expect(await closed).toBe(CLOSE_SESSION_ENDED);
    expect(await openWs(api.port, { headers: { cookie } })).toMatchObject({ status: 401 });
  });

  test('a session ended on another replica (deleted in Redis) stops working at once', async () => {
    const { cookie } = await login(api.port, 'alice');
    expect((await call(api.port, 'GET', '/api/nodes', { headers: { cookie } })).status).toBe(200);
    for (const key of await redis.keys(keys.session('*'))) await redis.del(key);
    expect((await call(api.port, 'GET', '/api/nodes', { headers: { cookie } })).status).toBe(401);
  });

  test('/metrics follows the session rule when METRICS_TOKEN is not set', async () => {
    expect((await call(api.port, 'GET', '/metrics')).status).toBe(401);
    const { cookie } = await login(api.port, 'bob');
    const res = await call(api.port, 'GET', '/metrics', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
  });
});
