import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@mmon/shared';
import { parseUsers, verifyPassword } from '../src/auth/users';
import { readConfig } from '../src/config';
import { writeUsersFile } from './authSupport';

const BCRYPT_OF_SECRET = '$2b$04$Dwk.OAxcOsICMhMnobUsWeBbu3HAFJ9LqACK1Q1GqU7bWqzcZ0hb.'; // bcrypt of "x", cost 4
const ARGON = '$argon2id$v=19$m=65536,p=4,t=3$8vIm83Dc297B8p7bdzrCQA$b2iv3Mw8lOE6rLS+WWOVNi3wVzJUHo4MCgIk7vPpA+0';

function file(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mmon-users-'));
  writeFileSync(path.join(dir, 'users'), text);
  return path.join(dir, 'users');
}

function configError(env: Record<string, string>): ConfigError {
  try {
    readConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no configuration error');
}

describe('access configuration', () => {
  test('without users the api listens on 127.0.0.1 unless API_HOST is set; with users on every interface', async () => {
    expect(readConfig({}).host).toBe('127.0.0.1');
    expect(readConfig({}).auth.mode).toBe('none');
    expect(readConfig({ API_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    const users = await writeUsersFile();
    expect(readConfig({ MONITOR_USERS_FILE: users })).toMatchObject({ host: '0.0.0.0', auth: { mode: 'password' } });
    expect(readConfig({ MONITOR_USERS_FILE: users, API_HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(readConfig({ AUTH_PROXY_HEADER: 'X-Forwarded-User', AUTH_TRUSTED_PROXIES: '10.0.0.0/8' })).toMatchObject({
      host: '0.0.0.0',
      auth: { mode: 'proxy', proxyHeader: 'x-forwarded-user', trustedProxies: ['10.0.0.0/8'] },
    });
  });

  test('users file lines: user:role:hash with argon2id or bcrypt; comments and blank lines ignored', () => {
    const users = parseUsers(`# c\n\nalice:admin:${ARGON}\r\nbob:viewer:${BCRYPT_OF_SECRET}\n`);
    expect([...users.values()].map((u) => [u.name, u.role])).toEqual([
      ['alice', 'admin'],
      ['bob', 'viewer'],
    ]);
    expect(parseUsers('carol:admin:', true).get('carol')).toEqual({ name: 'carol', role: 'admin', hash: '' });
  });

  test('verifies argon2id and bcrypt hashes', async () => {
    expect(await verifyPassword(BCRYPT_OF_SECRET, 'x')).toBe(true);
    expect(await verifyPassword(BCRYPT_OF_SECRET, 'y')).toBe(false);
    expect(await verifyPassword('', 'x')).toBe(false);
    expect(await verifyPassword('$argon2id$broken', 'x')).toBe(false);
  });

  test('a bad value names the variable and the line, never a hash or the token', () => {
    const cases: [Record<string, string>, string][] = [
      [{ MONITOR_USERS_FILE: file(`alice:root:${ARGON}\n`) }, 'MONITOR_USERS_FILE: ' + '$F line 1: the role must be viewer or admin'],
      [{ MONITOR_USERS_FILE: file(`# x\nalice:admin:${ARGON.slice(0, 40)}\n`) }, '$F line 2: the hash must be argon2id or bcrypt'],
      [{ MONITOR_USERS_FILE: file('alice:admin:\n') }, '$F line 1: the hash must be argon2id or bcrypt'],
      [{ MONITOR_USERS_FILE: file(`alice:admin:${ARGON}\nalice:viewer:${ARGON}\n`) }, '$F line 2: user "alice" is listed twice'],
      [{ MONITOR_USERS_FILE: file(`al ice:admin:${ARGON}\n`) }, '$F line 1: a user name is'],
      [{ MONITOR_USERS_FILE: file('# nobody\n') }, '$F lists no user'],
      [{ MONITOR_USERS_FILE: '/nonexistent/users' }, 'cannot read /nonexistent/users: ENOENT'],
      [{ AUTH_PROXY_HEADER: 'X-Forwarded-User' }, 'AUTH_PROXY_HEADER: needs AUTH_TRUSTED_PROXIES'],
      [{ AUTH_PROXY_HEADER: 'X User', AUTH_TRUSTED_PROXIES: '127.0.0.1' }, 'AUTH_PROXY_HEADER: must be a header name'],
      [{ AUTH_TRUSTED_PROXIES: '127.0.0.1,proxy.local' }, 'AUTH_TRUSTED_PROXIES: entries must be IP addresses or CIDRs, got "proxy.local"'],
      [{ AUTH_TRUSTED_PROXIES: '10.0.0.0/33' }, 'AUTH_TRUSTED_PROXIES: entries must be IP addresses or CIDRs'],
      [{ METRICS_TOKEN: 'short-secret' }, 'METRICS_TOKEN: must be at least 16 printable characters'],
      [{ PRIVACY_MASK_ADDRESSES: 'maybe' }, 'PRIVACY_MASK_ADDRESSES: must be true or false'],
    ];
    for (const [env, expected] of cases) {
      const err = configError(env);
      expect(err.message).toContain(expected.replace('$F', env.MONITOR_USERS_FILE ?? ''));
      expect(err.message).not.toContain('$argon2');
      expect(err.message).not.toContain('short-secret');
    }
  });
});
