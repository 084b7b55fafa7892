import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createLogger, type Env } from '@mmon/shared';
import { eventually } from '@mmon/test-support';
import { hashPassword } from '../src/auth/users';
import { readAuthConfig } from '../src/config';
import { startApi, type RunningApi } from '../src/server';

export const PASSWORDS = { alice: 'alice-password-1', bob: 'bob-password-22' } as const;

/** A users file with alice (admin) and bob (viewer), hashed by the project's own hash function. */
export async function writeUsersFile(extra = ''): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mmon-users-'));
  const file = path.join(dir, 'users');
  writeFileSync(file, `# test users\nalice:admin:${await hashPassword(PASSWORDS.alice)}\n\nbob:viewer:${await hashPassword(PASSWORDS.bob)}\n${extra}`);
  return file;
}

/** The api on 127.0.0.1, configured from environment variables exactly as main.ts does; answers once it reaches Redis. */
export async function startAuthApi(redisUrl: string, env: Env): Promise<RunningApi> {
  const api = await startApi({ redis: redisUrl, port: 0, host: '127.0.0.1', logger: createLogger('auth-test', 'error'), auth: readAuthConfig(env) });
  await eventually(async () => expect((await call(api.port, 'GET', '/api/health')).status).toBe(200));
  return api;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * One HTTP request to the api from a chosen loopback address (`from`, e.g. 127.0.0.2: each is a
 * distinct client address to the api), with a JSON body when given.
 */
export function call(
  port: number,
  method: string,
  urlPath: string,
  opts: { headers?: Record<string, string>; json?: unknown; from?: string } = {},
): Promise<Answer> {
  const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, localAddress: opts.from ?? '127.0.0.1' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: unknown = undefined;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Logs in; answers the Cookie header value to send, and the Set-Cookie line. */
export async function login(port: number, user: keyof typeof PASSWORDS, from?: string): Promise<{ cookie: string; setCookie: string }> {
  const res = await call(port, 'POST', '/api/login', { json: { user, password: PASSWORDS[user] }, from });
  if (res.status !== 200) throw new Error(`login of ${user}: ${res.status} ${res.text}`);
  const setCookie = (res.headers['set-cookie'] ?? [])[0];
  return { cookie: setCookie.split(';')[0], setCookie };
}

/** A WebSocket handshake: the open socket, or the HTTP status and body it was refused with. */
export function openWs(
  port: number,
  opts: { headers?: Record<string, string>; from?: string } = {},
): Promise<{ ws: WebSocket; messages: Record<string, unknown>[] } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { headers: opts.headers, localAddress: opts.from ?? '127.0.0.1' });
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}
