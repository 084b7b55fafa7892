import { ConfigError, bool, int, oneOf, redactUrl, url, logLevel } from '../src/config';

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
