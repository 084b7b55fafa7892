import { ConfigError, readNodes } from '@mmon/shared';
import { readConfig } from '../src/config';

describe('collector configuration', () => {
  test('defaults: one node "local" at MediaMTX default address, 1 s interval', () => {
    const config = readConfig({});
    expect(config.nodes).toEqual([{ id: 'local', baseUrl: 'http://127.0.0.1:9997' }]);
    expect(config.intervalMs).toBe(1000);
    expect(config.timeoutMs).toBe(3000);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379/0');
  });

  test('MEDIAMTX_API_URL with MEDIAMTX_API_USER/PASS; credentials kept out of the URL', () => {
    expect(readNodes({ MEDIAMTX_API_URL: 'http://mtx:9997/', MEDIAMTX_API_USER: 'mon', MEDIAMTX_API_PASS: 'pw' })).toEqual([
      { id: 'local', baseUrl: 'http://mtx:9997', user: 'mon', pass: 'pw' },
    ]);
    expect(readNodes({ MEDIAMTX_API_URL: 'http://a%40b:p%3Aw@mtx:9997' })).toEqual([
      { id: 'local', baseUrl: 'http://mtx:9997', user: 'a@b', pass: 'p:w' },
    ]);
  });

  test('MEDIAMTX_NODES lists several nodes, each with its own credentials', () => {
    expect(readNodes({ MEDIAMTX_NODES: 'eu-1=http://u:p@10.0.0.1:9997, us_2=https://mtx.example:9997', MEDIAMTX_API_URL: 'http://ignored' })).toEqual([
      { id: 'eu-1', baseUrl: 'http://10.0.0.1:9997', user: 'u', pass: 'p' },
      { id: 'us_2', baseUrl: 'https://mtx.example:9997' },
    ]);
  });

  test.each([
    ['MEDIAMTX_NODES', { MEDIAMTX_NODES: 'bad id=http://x' }],
    ['MEDIAMTX_NODES', { MEDIAMTX_NODES: 'http://x' }],
    ['MEDIAMTX_NODES', { MEDIAMTX_NODES: 'a=http://x,a=http://y' }],
    ['MEDIAMTX_NODES', { MEDIAMTX_NODES: 'a=ftp://x' }],
    ['MEDIAMTX_API_URL', { MEDIAMTX_API_URL: 'nope' }],
    ['COLLECT_INTERVAL_MS', { COLLECT_INTERVAL_MS: '199' }],
    ['MEDIAMTX_TIMEOUT_MS', { MEDIAMTX_TIMEOUT_MS: 'x' }],
    ['REDIS_URL', { REDIS_URL: 'http://redis' }],
  ])('%s: a bad value is a ConfigError naming it', (variable, env) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  test('limits against wrong data: MEDIAMTX_MAX_ITEMS (default 100,000) and MEDIAMTX_MAX_PLAUSIBLE_GBPS (default 100, at most 1000)', () => {
    expect(readConfig({})).toMatchObject({ maxItems: 100_000, maxPlausibleGbps: 100 });
    expect(readConfig({ MEDIAMTX_MAX_ITEMS: '500', MEDIAMTX_MAX_PLAUSIBLE_GBPS: '2.5' })).toMatchObject({ maxItems: 500, maxPlausibleGbps: 2.5 });
    expect(() => readConfig({ MEDIAMTX_MAX_ITEMS: '0' })).toThrow(/^MEDIAMTX_MAX_ITEMS: /);
    expect(() => readConfig({ MEDIAMTX_MAX_PLAUSIBLE_GBPS: '1001' })).toThrow(/^MEDIAMTX_MAX_PLAUSIBLE_GBPS: must be at most 1000/);
  });

  test('200 ms intervals work', () => {
    expect(readConfig({ COLLECT_INTERVAL_MS: '200' }).intervalMs).toBe(200);
  });
});
