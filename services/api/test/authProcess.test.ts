import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Emulator, demoScenario } from '@mmon/mediamtx-test';
import { RedisServer, eventually, freePort } from '@mmon/test-support';
import { parseUsers, verifyPassword } from '../src/auth/users';
import { PASSWORDS, call, login, writeUsersFile } from './authSupport';

/** Built entry points (make test builds before it tests). */
const MAIN = path.resolve(__dirname, '../dist/main.js');
const HASH = path.resolve(__dirname, '../dist/hash-password.js');
const ROOT = path.resolve(__dirname, '../../..');
const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** Whether something accepts TCP connections at address:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a command and collects its stdout; `stop()` ends it (SIGTERM) and waits. */
function run(command: string, args: string[], env: Record<string, string>, opts: { detached?: boolean } = {}) {
  const child: ChildProcess = spawn(command, args, { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, detached: opts.detached });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => out,
    async stop(): Promise<number | null> {
      if (child.exitCode === null) {
        // run.sh is started in its own process group, so its children end with it
        if (opts.detached) process.kill(-child.pid!, 'SIGTERM');
        else child.kill('SIGTERM');
      }
      return exited;
    },
  };
}

describe('the api process and make run (scripts/run.sh): access mode and listening address', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test('without users and without API_HOST the api listens on 127.0.0.1 only, and says so', async () => {
    const port = await freePort();
    const api = run(process.execPath, [MAIN], { API_PORT: String(port), REDIS_URL: redis.url });
    try {
      await eventually(async () => expect(await accepts('127.0.0.1', port)).toBe(true));
      expect(await accepts('127.0.0.2', port)).toBe(false); // another loopback address of this machine: not bound
      await eventually(() => expect(api.output()).toContain('access: no login (no MONITOR_USERS_FILE), so listening on 127.0.0.1 only'));
      expect((await call(port, 'GET', '/api/streams/latest')).status).toBe(200); // works as before, without login
    } finally {
      await api.stop();
    }
  });

  test('with users: passwords, hashes, session tokens and the metrics token never reach the log', async () => {
    const usersFile = await writeUsersFile();
    const port = await freePort();
    const api = run(process.execPath, [MAIN], {
      API_PORT: String(port),
      API_HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      MONITOR_USERS_FILE: usersFile,
      METRICS_TOKEN,
      LOG_LEVEL: 'debug',
    });
    let token = '';
    try {
      await eventually(async () => expect((await call(port, 'GET', '/api/health')).status).toBe(200));
      expect((await call(port, 'POST', '/api/login', { json: { user: 'alice', password: 'wrong-password-here' } })).status).toBe(401);
      expect((await call(port, 'POST', '/api/login', { json: { user: PASSWORDS.bob, password: PASSWORDS.bob } })).status).toBe(401);
      const { cookie } = await login(port, 'alice');
      token = cookie.split('=')[1];
      expect((await call(port, 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
      expect((await call(port, 'POST', '/api/logout', { headers: { cookie } })).status).toBe(204);
      await eventually(() => expect(api.output()).toContain('"message":"logout"'));
    } finally {
      expect(await api.stop()).toBe(0);
    }
    const log = api.output();
    expect(log).toContain('access: login required (2 users from MONITOR_USERS_FILE)');
    expect(log).toContain('"message":"login failed"');
    expect(log).toContain('"message":"login"');
    const secrets = [PASSWORDS.alice, PASSWORDS.bob, 'wrong-password-here', METRICS_TOKEN, token, '$argon2', ...readFileSync(usersFile, 'utf8').match(/\$[A-Za-z0-9+/]{20,}/g)!];
    for (const secret of secrets) expect(log).not.toContain(secret);
  });

  test('make run without users prints that it is on loopback only, and the api is reachable there alone', async () => {
    const emulator = await Emulator.start({ scenario: demoScenario() });
    const port = await freePort();
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'mmon-run-'));
    const stack = run('bash', ['scripts/run.sh'], { REDIS_URL: redis.url, MEDIAMTX_API_URL: emulator.url, API_PORT: String(port), RUN_DIR: runDir }, { detached: true });
    try {
      await eventually(() => expect(stack.output()).toContain('access: no login, so listening on 127.0.0.1 only'), 20000, 100);
      await eventually(async () => expect((await call(port, 'GET', '/api/streams/latest')).body.length).toBeGreaterThan(0), 20000, 200).catch((err: Error) => {
        throw new Error(`${err.message}\nmake run said:\n${stack.output().slice(-3000)}`);
      });
      expect(await accepts('127.0.0.2', port)).toBe(false);
    } finally {
      await stack.stop();
      await emulator.close();
    }
  });
});

describe('node services/api/dist/hash-password.js', () => {
  test('hashes a piped password into a users line the api accepts; the password is never an argument', async () => {
    const res = spawnSync(process.execPath, [HASH, 'erin', 'viewer'], { input: 'erin-password-1\n', encoding: 'utf8' });
    expect(res.status).toBe(0);
    const users = parseUsers(res.stdout);
    expect(users.get('erin')?.role).toBe('viewer');
    expect(await verifyPassword(users.get('erin')!.hash, 'erin-password-1')).toBe(true);
    expect(res.stdout + res.stderr).not.toContain('erin-password-1');

    const bare = spawnSync(process.execPath, [HASH], { input: 'erin-password-1\n', encoding: 'utf8' });
    expect(bare.stdout).toMatch(/^\$argon2id\$[^\n]+\n$/);
    expect(spawnSync(process.execPath, [HASH, 'erin', 'viewer', 'erin-password-1'], { input: '', encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [HASH, 'erin', 'root'], { input: 'erin-password-1\n', encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, [HASH], { input: 'short\n', encoding: 'utf8' }).status).toBe(1);
  });

  test('at a terminal it asks twice and echoes nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mmon-tty-'));
    writeFileSync(path.join(dir, 'cmd'), `${process.execPath} ${HASH} frank admin`);
    // `script` gives the command a real pseudo-terminal; the password is typed after each prompt
    const child = spawn('script', ['-qec', `sh ${path.join(dir, 'cmd')}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.endsWith('password: ') || out.endsWith('again: ')) child.stdin.write('frank-password-1\r');
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('password: ');
    expect(out).toContain('again: ');
    expect(out).not.toContain('frank-password-1');
    const line = out.split(/\r?\n/).find((l) => l.startsWith('frank:'))!;
    expect(await verifyPassword(parseUsers(line).get('frank')!.hash, 'frank-password-1')).toBe(true);
  });
});
