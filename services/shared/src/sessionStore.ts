import { createHash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { keys } from './keys';

export type Role = 'viewer' | 'admin';

/** One login, as every api replica reads it. */
export interface Session {
  user: string;
  role: Role;
  /** ISO times. */
  createdAt: string;
  expiresAt: string;
}

/** A session token: 32 random bytes, base64url (43 characters). */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function tokenKey(token: string): string {
  return keys.session(createHash('sha256').update(token).digest('hex'));
}

/**
 * Login sessions in Redis, shared by every api replica. The cookie carries a random token; Redis
 * holds the session under the token's SHA-256, expiring when the session does, so a Redis dump
 * or a replica's memory holds nothing that opens a session.
 */
export class SessionStore {
  constructor(private readonly redis: Redis) {}

  /** Starts a session of `ttlMs`; answers its token (for the cookie) and the session. */
  async create(user: string, role: Role, ttlMs: number, nowMs = Date.now()): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { user, role, createdAt: new Date(nowMs).toISOString(), expiresAt: new Date(nowMs + ttlMs).toISOString() };
    await this.redis.set(tokenKey(token), JSON.stringify(session), 'PX', ttlMs);
    return { token, session };
  }

  /** The session of a token; null when there is none (expired, ended, or not a token at all). */
  async get(token: string): Promise<Session | null> {
    if (!TOKEN.test(token)) return null;
    const text = await this.redis.get(tokenKey(token));
    return text === null ? null : (JSON.parse(text) as Session);
  }

  /** Ends a session (logout). */
  async delete(token: string): Promise<void> {
    if (TOKEN.test(token)) await this.redis.del(tokenKey(token));
  }

  /** Which of these tokens still have a session, in one round trip (for long-lived connections). */
  async alive(tokens: readonly string[]): Promise<boolean[]> {
    if (tokens.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const t of tokens) pipeline.exists(tokenKey(t));
    const results = (await pipeline.exec()) ?? [];
    return tokens.map((_t, i) => {
      const [err, n] = results[i] ?? [new Error('no answer'), 0];
      if (err) throw err;
      return n === 1;
    });
  }
}
