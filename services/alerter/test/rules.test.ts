import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@mmon/shared';
import { duration, glob, readRules, storedRules } from '../src/rules';

/** The example rules file that operators copy (the README shows it). */
const EXAMPLE = path.resolve(__dirname, '../alerts.example.yaml');

describe('rules file', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'alerter-rules-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(text: string): string {
    const f = path.join(dir, `rules-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, text);
    return f;
  }

  function error(text: string, env: Record<string, string> = {}): string {
    const f = file(text);
    try {
      readRules({ ALERT_RULES_FILE: f, ...env });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe('ALERT_RULES_FILE');
      const message = (err as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message.startsWith(`ALERT_RULES_FILE: ${f}: `)).toBe(true);
      return message.slice(`ALERT_RULES_FILE: ${f}: `.length);
    }
    throw new Error('the rules were accepted');
  }

  it('without ALERT_RULES_FILE: stream offline 30 s and node stale 30 s', () => {
    const set = readRules({});
    expect(set.source).toBeNull();
    expect(storedRules(set, 'now').rules).toEqual([
      { name: 'stream-offline', kind: 'stream.offline', match: { node: '*', name: '*' }, threshold: null, forMs: 30_000, keepFiringForMs: 0, repeatEveryMs: null, severity: 'crit', notify: [] },
      { name: 'node-stale', kind: 'node.stale', match: { node: '*', name: '*' }, threshold: null, forMs: 30_000, keepFiringForMs: 0, repeatEveryMs: null, severity: 'crit', notify: [] },
    ]);
  });

  it('loads the example of the issue that defines the rules, threshold: 0 on stream.offline included', () => {
    const f = file(`rules:
  - name: contribution-offline        # unique, [A-Za-z0-9._-]+
    kind: stream.offline              # see the kinds below
    match: { node: "*", name: "live/*" }   # globs; both default to "*"
    threshold: 0                      # kinds with a threshold only
    for: 10s                          # condition true this long before firing (default 0s)
    keepFiringFor: 30s                # condition false this long before resolving (default 0s)
    repeatEvery: 1h                   # re-notify while firing (default: never)
    severity: crit                    # info | warn | crit (default warn)
    notify: [ops]                     # notifier names
notifiers:
  - name: ops
    type: webhook                     # webhook | slack | discord | ntfy | teams
    url: \${OPS_WEBHOOK_URL}           # \${VAR} is read from the environment
`);
    const set = readRules({ ALERT_RULES_FILE: f, OPS_WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
    expect(set.rules.map((r) => [r.name, r.kind, r.threshold, r.forMs, r.keepFiringForMs, r.repeatEveryMs, r.severity])).toEqual([
      ['contribution-offline', 'stream.offline', null, 10_000, 30_000, 3_600_000, 'crit'],
    ]);
  });

  it('reads the example file with ${VAR} from the environment; URLs stay out of what is stored', () => {
    const env = { ALERT_RULES_FILE: EXAMPLE, OPS_WEBHOOK_URL: 'https://hooks.example/T0/secret-token', SLACK_WEBHOOK_URL: 'https://alice:s3cret@slack.example/services/T/B/X' };
    const set = readRules(env);
    expect(set.source).toBe(EXAMPLE);
    expect(set.rules.map((r) => [r.name, r.kind, r.match, r.threshold, r.forMs, r.keepFiringForMs, r.repeatEveryMs, r.severity, r.notify])).toEqual([
      ['contribution-offline', 'stream.offline', { node: '*', name: 'live/*' }, null, 10_000, 30_000, 3_600_000, 'crit', ['ops', 'chat']],
      ['srt-loss', 'stream.srt.loss.above', { node: '*', name: 'live/*' }, 50, 30_000, 0, null, 'warn', ['chat']],
      ['no-viewers', 'stream.readers.below', { node: '*', name: '*' }, 1, 300_000, 0, null, 'info', []],
      ['server-down', 'node.stale', { node: '*', name: '*' }, null, 30_000, 0, null, 'crit', ['ops', 'chat']],
      ['disk-full', 'host.disk.above', { node: '*', name: '*' }, 90, 300_000, 0, null, 'warn', ['ops']],
    ]);
    expect(set.notifiers).toEqual([
      { name: 'ops', type: 'webhook', endpoint: 'https://hooks.example/T0/secret-token', authorization: null, topic: null },
      // Credentials in a URL become a header (fetch refuses URLs that carry them).
      { name: 'chat', type: 'slack', endpoint: 'https://slack.example/services/T/B/X', authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}`, topic: null },
    ]);
    const stored = JSON.stringify(storedRules(set, new Date().toISOString()));
    expect(stored).not.toMatch(/secret|hooks\.example|slack\.example/);
    expect(storedRules(set, 'x').notifiers).toEqual([
      { name: 'ops', type: 'webhook' },
      { name: 'chat', type: 'slack' },
    ]);
  });

  it('ntfy: JSON publishing goes to the server root with the topic from the path', () => {
    const f = file('rules: []\nnotifiers: [{ name: n, type: ntfy, url: "https://ntfy.example/base/mediamtx-alerts?auth=tok" }]\n');
    expect(readRules({ ALERT_RULES_FILE: f }).notifiers).toEqual([
      { name: 'n', type: 'ntfy', endpoint: 'https://ntfy.example/base/?auth=tok', authorization: null, topic: 'mediamtx-alerts' },
    ]);
  });

  test.each([
    ['rules: [{ name: a, kind: stream.offline, severity: critical }]', 'rule "a" (rules[0]): severity: must be one of info, warn, crit'],
    ['rules: [{ name: a, kind: stream.offline }, { name: b, kind: stream.bogus }]', 'rule "b" (rules[1]): kind: must be one of'],
    ['rules: [{ name: a, kind: stream.readers.above }]', 'rule "a": threshold: stream.readers.above needs a threshold'],
    ['rules: [{ name: a, kind: stream.offline, threshold: 30 }]', 'rule "a": threshold: stream.offline takes no threshold (leave it out or 0)'],
    ['rules: [{ name: a, kind: stream.offline, for: 10 }]', 'rule "a": for: must be a duration such as 10s, 5m or 1h30m, got "10"'],
    ['rules: [{ name: a, kind: stream.offline, keepFiringFor: soon }]', 'rule "a": keepFiringFor: must be a duration'],
    ['rules: [{ name: a, kind: stream.offline, repeatEvery: 0s }]', 'rule "a": repeatEvery: must be longer than 0'],
    ['rules: [{ name: a, kind: stream.offline, notify: [ops] }]', 'rule "a": notify: no notifier named "ops"'],
    ['rules: [{ name: a, kind: stream.offline }, { name: a, kind: node.stale }]', 'rule "a": name: used twice'],
    ['rules: [{ name: "a b", kind: stream.offline }]', "rule 1 of rules: name: must be letters, digits, '.', '_' or '-'"],
    ['rules: [{ kind: stream.offline }]', 'rule 1 of rules: name: is missing'],
    ['rules: [{ name: a, kind: stream.offline, fro: 10s }]', 'rule "a" (rules[0]): fro: is not a known field'],
    ['rules: [{ name: a, kind: node.stale, match: { name: "x" } }]', 'rule "a": match.name: node.stale is not about a stream'],
    ['rules: [{ name: a, kind: host.cpu.above, threshold: 90, match: { node: "x" } }]', 'rule "a": match.node: host.cpu.above is about the host'],
    ['rules: [{ name: a, kind: stream.offline, match: { node: "${NODE}" } }]', 'rule "a": match.node: the environment variable NODE is not set'],
    ['rules: [{ name: a, kind: host.cpu.above, threshold: high }]', 'rule "a" (rules[0]): threshold: must be number'],
    ['rules: []\nnotifiers: [{ name: n, type: email, url: "x" }]', 'notifier "n" (notifiers[0]): type: must be one of webhook, slack, discord, ntfy, teams'],
    ['rules: []\nnotifiers: [{ name: n, type: webhook }]', 'notifier "n" (notifiers[0]): url: is missing'],
    ['rules: []\nnotifiers: [{ name: n, type: webhook, url: "${HOOK}" }]', 'notifier "n": url: the environment variable HOOK is not set'],
    ['rules: []\nnotifiers: [{ name: n, type: webhook, url: "ftp://user:pw@host/x" }]', 'notifier "n": url: must be an http or https URL'],
    ['rules: []\nnotifiers: [{ name: n, type: ntfy, url: "https://ntfy.example/" }]', 'notifier "n": url: ntfy needs the topic as the path'],
    ['rules: []\nnotifiers: [{ name: n, type: slack, url: "https://a/b" }, { name: n, type: slack, url: "https://a/c" }]', 'notifier "n": name: used twice'],
    ['notifiers: []', 'rules: is missing'],
    ['', 'the file: must be object'],
    ['rules: [ { name: a', 'not valid YAML: '],
  ])('%s → %s', (text, expected) => {
    expect(error(text)).toContain(expected);
  });

  it('never quotes a notifier URL in an error', () => {
    const message = error('rules: []\nnotifiers: [{ name: n, type: webhook, url: "gopher://user:hunter2@host/secret-path" }]');
    expect(message).not.toMatch(/hunter2|secret-path|gopher/);
  });

  it('names a file it cannot read', () => {
    expect(() => readRules({ ALERT_RULES_FILE: '/nonexistent/rules.yaml' })).toThrow('ALERT_RULES_FILE: /nonexistent/rules.yaml: cannot be read (ENOENT)');
  });

  it('durations and globs', () => {
    const fail = (m: string): never => {
      throw new Error(m);
    };
    expect(duration('1h30m', fail)).toBe(5_400_000);
    expect(duration('500ms', fail)).toBe(500);
    expect(duration('1.5s', fail)).toBe(1500);
    expect(duration(0, fail)).toBe(0);
    expect(() => duration('1 h', fail)).toThrow('must be a duration');
    expect(glob('live/*').test('live/cam/1')).toBe(true);
    expect(glob('live/*').test('vod/live/x')).toBe(false);
    expect(glob('cam?').test('cam1')).toBe(true);
    expect(glob('a.b').test('axb')).toBe(false);
  });
});
