import { ConfigError, bool, int, oneOf, redactUrl, redisTarget, url, logLevel } from '../src/config';

describe('config readers', () => {
  test('defaults apply to unset and blank variables', () => {
    expect(int({}, 'X', 5)).toBe(5);
    expect(int({ X: '  ' }, 'X', 5)).toBe(5);
    expect(bool({}, 'B', true)).toBe(true);
    expect(logLevel({})).toBe('info');
  });

  test('bad values throw a ConfigError naming the variable', () => {
    const cases: [() => unknown, string, RegExp][] = [
      [() => int({ COLLECT_INTERVAL_MS: 'fast' }, 'COLLECT_INTERVAL_MS', 1000), 'COLLECT_INTERVAL_MS', /whole number/],
      [() => int({ COLLECT_INTERVAL_MS: '100' }, 'COLLECT_INTERVAL_MS', 1000, { min: 200 }), 'COLLECT_INTERVAL_MS', /at least 200/],
      [() => int({ P: '70000' }, 'P', 1, { max: 65535 }), 'P', /at most 65535/],
      [() => bool({ B: 'maybe' }, 'B', false), 'B', /true or false/],
      [() => logLevel({ LOG_LEVEL: 'loud' }), 'LOG_LEVEL', /one of error, warn, info, debug/],
      [() => url({ U: 'not a url' }, 'U', 'http://x', ['http']), 'U', /must be a URL/],
      [() => url({ U: 'ftp://x' }, 'U', 'http://x', ['http', 'https']), 'U', /http or https/],
    ];
    for (const [read, variable, message] of cases) {
      let caught: unknown;
      try {
        read();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).variable).toBe(variable);
      expect((caught as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
      expect((caught as ConfigError).message).toMatch(message);
    }
    expect(oneOf({ M: 'all' }, 'M', 'project', ['project', 'all'] as const)).toBe('all');
  });

  test('a bad URL is reported without its password', () => {
    expect(() => url({ U: 'http://admin:s3cret@' }, 'U', 'http://x', ['http'])).toThrow(/admin|\*\*\*/);
    expect(() => url({ U: 'http://admin:s3cret@' }, 'U', 'http://x', ['http'])).not.toThrow(/s3cret/);
    expect(redactUrl('http://user:pw@host:9997/x')).toBe('http://***@host:9997/x');
    expect(redactUrl('http://host:9997/x')).toBe('http://host:9997/x');
  });
});

describe('redisTarget', () => {
  test('REDIS_URL alone, by default without Sentinels', () => {
    expect(redisTarget({})).toEqual({ url: 'redis://127.0.0.1:6379/0', sentinels: [], sentinelName: 'mymaster' });
    expect(redisTarget({ REDIS_URL: 'rediss://u:p@cache:6380/2' }).url).toBe('rediss://u:p@cache:6380/2');
  });

  test('REDIS_SENTINELS lists host:port pairs (IPv6 in brackets), REDIS_SENTINEL_NAME names the primary', () => {
    const target = redisTarget({
      REDIS_SENTINELS: ' s1.example:26379, 10.0.0.2:26380 ,[::1]:26381,',
      REDIS_SENTINEL_NAME: 'monitor',
      REDIS_URL: 'redis://:secret@ignored-host:6379/3',
    });
    expect(target).toEqual({
      url: 'redis://:secret@ignored-host:6379/3',
      sentinels: [
        { host: 's1.example', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      sentinelName: 'monitor',
    });
    expect(redisTarget({ REDIS_SENTINELS: '  ' }).sentinels).toEqual([]);
  });

  test.each(['s1.example', 's1:0', 's1:65536', 's1:port', ':26379', 's1:26379;s2:26379', 'redis://s1:26379', '::1:26379'])('a bad REDIS_SENTINELS entry (%s) is a ConfigError naming the variable', (value) => {
    let caught: unknown;
    try {
      redisTarget({ REDIS_SENTINELS: `ok:26379,${value}` });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe('REDIS_SENTINELS');
    expect((caught as ConfigError).message).toMatch(/^REDIS_SENTINELS: entries must be host:port/);
  });

  test('a bad REDIS_SENTINELS entry is shown without credentials', () => {
    expect(() => redisTarget({ REDIS_SENTINELS: 'admin:s3cret@s1:26379' })).toThrow('REDIS_SENTINELS: entries must be host:port, got "***@s1:26379"');
  });

  test('a bad REDIS_URL names REDIS_URL, without its password', () => {
    expect(() => redisTarget({ REDIS_URL: 'http://cache:6379' })).toThrow(/^REDIS_URL: must use redis or rediss/);
    expect(() => redisTarget({ REDIS_URL: 'redis://:s3cret@' })).toThrow(/^REDIS_URL: /);
    expect(() => redisTarget({ REDIS_URL: 'redis://:s3cret@' })).not.toThrow(/s3cret/);
  });
});
