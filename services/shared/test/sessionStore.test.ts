import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { SessionStore, keys } from '../src';
import { eventually, useRedis } from './support';

describe('SessionStore', () => {
  const db = useRedis();

  test('a session is found by its token from any connection (another replica), expires with its TTL, and ends on delete', async () => {
    const store = new SessionStore(db.redis);
    const { token, session } = await store.create('alice', 'admin', 60_000, Date.parse('2026-12-01T10:00:00Z'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session).toEqual({ user: 'alice', role: 'admin', createdAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-01T10:01:00.000Z' });

    const replica = new Redis(db.url);
    expect(await new SessionStore(replica).get(token)).toEqual(session);
    replica.disconnect();

    // Redis holds it under the token's SHA-256, never the token itself
    const key = keys.session(createHash('sha256').update(token).digest('hex'));
    expect(await db.redis.exists(key)).toBe(1);
    expect((await db.redis.keys('*')).join()).not.toContain(token);
    expect(await db.redis.pttl(key)).toBeGreaterThan(59_000);

    const second = await store.create('bob', 'viewer', 60_000);
    expect(await store.alive([token, second.token])).toEqual([true, true]);
    await store.delete(token);
    expect(await store.get(token)).toBeNull();
    expect(await store.alive([token, second.token])).toEqual([false, true]);
    expect(await store.alive([])).toEqual([]);

    const short = await store.create('carol', 'viewer', 200);
    await eventually(async () => expect(await store.get(short.token)).toBeNull());
  });

  test('anything that is not a token is no session, without asking Redis for odd keys', async () => {
    const store = new SessionStore(db.redis);
    for (const bad of ['', 'x', '*', 'a'.repeat(44), `${'a'.repeat(42)}*`]) expect(await store.get(bad)).toBeNull();
  });
});
