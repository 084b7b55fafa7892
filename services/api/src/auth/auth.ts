import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type Redis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { SessionStore, keys, type Logger, type Role } from '@mmon/shared';
import type { AuthConfig } from '../config';
import { HttpError, fromRedis, writeError } from '../errors';
import { clientAddress, compileTrust, isHttps, isSameOrigin, peerAddress, type Trust } from './request';
import { verifyPassword } from './users';

/** Who makes a request. `token`: the session's (password mode), for logout and for closing its WebSockets. */
export interface Principal {
  user: string | null;
  role: Role;
  /** Whether connection addresses are masked for it (PRIVACY_MASK_ADDRESSES, or the viewer role). */
  masked: boolean;
  token: string | null;
}

/** What a WebSocket handshake gets: a principal, or the status and message it is refused with. */
export type Admission = { principal: Principal } | { status: 401 | 403 | 503; message: string };

export const SESSION_COOKIE = 'mmon_session';
const COOKIE_TOKEN = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]{1,64})(?:;|$)`);
/** Paths under /api/ that answer without a session. */
const PUBLIC_API = new Set(['/api/login', '/api/health']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * A proxy's user header: printable, bounded, and without commas: Node joins a repeated header with
 * ", ", so a proxy that appends its value to a client's instead of replacing it is refused.
 */
const PROXY_USER = /^[\x21-\x2b\x2d-\x7e][\x20-\x2b\x2d-\x7e]{0,255}$/;

/**
 * Failed logins: 20 per address and 5 per user name in 15 minutes, counted in Redis so that every
 * replica counts them together. Beyond either, /api/login answers 429 until the window ends.
 */
export const LOGIN_LIMITS = { address: 20, user: 5, windowSeconds: 900 } as const;

const principals = new WeakMap<IncomingMessage, Principal>();

/** The principal the gate found for a request; a request that passed no gate is treated as a masked viewer. */
export function principalOf(req: IncomingMessage): Principal {
  return principals.get(req) ?? { user: null, role: 'viewer', masked: true, token: null };
}

/** Only admins pass (for routes that change what others see); answers 403 JSON otherwise. */
export function requireAdmin(req: Request, _res: Response, next: (err?: unknown) => void): void {
  next(principalOf(req).role === 'admin' ? undefined : new HttpError(403, 'admin role required'));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Access control (issue #11): the gate in front of every request, the login routes and the
 * WebSocket admission. Emits 'logout' (token) when a session ends here, so the WebSocket closes
 * that session's connections at once.
 */
export class Auth extends EventEmitter {
  readonly trust: Trust;
  private readonly sessions: SessionStore;
  private readonly limits: Record<'address' | 'user', RateLimiterRedis>;
  /** Unknown users are checked against this hash, so that they take as long as a wrong password (same kind and cost). */
  private readonly timingHash: string;
  private readonly metricsToken: Buffer | null;
  /** Everyone's principal when nobody logs in: sees what an admin sees (addresses masked only with PRIVACY_MASK_ADDRESSES). */
  private readonly openPrincipal: Principal;

  constructor(
    readonly config: AuthConfig,
    redis: Redis,
    private readonly logger: Logger,
  ) {
    super();
    this.trust = compileTrust(config.trustedProxies);
    this.sessions = new SessionStore(redis);
    const limiter = (kind: 'address' | 'user') =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: keys.loginFailures(kind), points: LOGIN_LIMITS[kind], duration: LOGIN_LIMITS.windowSeconds });
    this.limits = { address: limiter('address'), user: limiter('user') };
    this.timingHash = [...config.users.values()].find((u) => u.hash !== '')?.hash ?? '';
    this.metricsToken = config.metricsToken === null ? null : sha256(config.metricsToken);
    this.openPrincipal = { user: null, role: 'admin', masked: config.maskAddresses, token: null };
  }

  get enabled(): boolean {
    return this.config.mode !== 'none';
  }

  private principal(user: string, role: Role, token: string | null): Principal {
    return { user, role, masked: this.config.maskAddresses || role === 'viewer', token };
  }

  /** Who the request is from (null: nobody known). Throws when Redis cannot be asked. */
  async identify(req: IncomingMessage): Promise<Principal | null> {
    if (this.config.mode === 'none') return this.openPrincipal;
    if (this.config.mode === 'proxy') {
      if (!this.trust(peerAddress(req), 0)) return null;
      const value = req.headers[this.config.proxyHeader!];
      const user = typeof value === 'string' ? value.trim() : '';
      if (!PROXY_USER.test(user)) return null;
      return this.principal(user, this.config.users.get(user)?.role ?? 'viewer', null);
    }
    const token = COOKIE_TOKEN.exec(req.headers.cookie ?? '')?.[1];
    if (!token) return null;
    const session = await this.sessions.get(token);
    // A user removed from the file, or given another role, is logged out.
    if (!session || this.config.users.get(session.user)?.role !== session.role) return null;
    return this.principal(session.user, session.role, token);
  }

  /**
   * In front of every request: /metrics with METRICS_TOKEN needs the bearer token; otherwise every
   * /api/ path but /api/login and /api/health, and /metrics, need a principal (401 JSON), and a
   * state-changing /api/ request a same-origin check (403 JSON). The dashboard's files are public.
   */
  gate(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (!this.enabled && this.metricsToken === null) {
      // nothing to check: the hot path pays one WeakMap entry
      principals.set(req, this.openPrincipal);
      return next();
    }
    const path = normalizedPath(req.url ?? '/');
    if (path === '/metrics' && this.metricsToken !== null) {
      if (this.bearerMatches(req.headers.authorization)) return next();
      return writeError(res, 401, 'metrics token required', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    if (!this.enabled) {
      principals.set(req, this.openPrincipal);
      return next();
    }
    const isApi = path === '/api' || path.startsWith('/api/');
    if (!isApi && path !== '/metrics') return next();
    if (isApi && !SAFE_METHODS.has(req.method ?? 'GET') && !isSameOrigin(req)) return writeError(res, 403, 'cross-origin request refused');
    if (PUBLIC_API.has(path)) return next();
    this.identify(req).then(
      (principal) => {
        if (!principal) return writeError(res, 401, 'login required');
        principals.set(req, principal);
        next();
      },
      () => writeError(res, 503, 'redis unavailable'),
    );
  }

  private bearerMatches(header: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    // Compared as hashes: equal lengths for timingSafeEqual, and nothing about the token's length leaks.
    return m !== null && timingSafeEqual(sha256(m[1]), this.metricsToken!);
  }

  /** The WebSocket handshake: same-origin, then a principal. */
  async admitUpgrade(req: IncomingMessage): Promise<Admission> {
    if (!this.enabled) return { principal: this.openPrincipal };
    if (!isSameOrigin(req)) return { status: 403, message: 'cross-origin request refused' };
    try {
      const principal = await this.identify(req);
      return principal ? { principal } : { status: 401, message: 'login required' };
    } catch {
      return { status: 503, message: 'redis unavailable' };
    }
  }

  /** Which of these session tokens still have a session (to close WebSockets of expired or ended ones). */
  alive(tokens: readonly string[]): Promise<boolean[]> {
    return this.sessions.alive(tokens);
  }

  /** POST /api/login, POST /api/logout, GET /api/me. */
  routes(): Router {
    const router = Router();
    const json = express.json({ limit: '4kb' });
    router.post('/api/login', json, async (req, res) => {
      if (this.config.mode !== 'password') throw new HttpError(404, 'login is not used here');
      const { user, password } = (req.body ?? {}) as { user?: unknown; password?: unknown };
      if (typeof user !== 'string' || typeof password !== 'string' || user.length < 1 || user.length > 128 || password.length > 1024) {
        throw new HttpError(400, 'expected JSON {"user": "...", "password": "..."}');
      }
      const address = clientAddress(req, this.trust);
      const blocked = await fromRedis(Promise.all([this.limits.address.get(address), this.limits.user.get(user)]));
      const waitMs = Math.max(
        ...blocked.map((r, i) => (r && r.consumedPoints >= LOGIN_LIMITS[i === 0 ? 'address' : 'user'] ? r.msBeforeNext : 0)),
      );
      if (waitMs > 0) {
        this.logger.warn('login refused: too many failures', { address });
        return writeError(res, 429, 'too many failed logins, try again later', { 'Retry-After': String(Math.ceil(waitMs / 1000)) });
      }
      const known = this.config.users.get(user);
      // A wrong user costs one hash check like a wrong password, and both answer the same.
      const matches = await verifyPassword(known?.hash ?? this.timingHash, password);
      if (!known || !matches) {
        await fromRedis(Promise.all([this.limits.address.penalty(address), this.limits.user.penalty(user)]));
        this.logger.warn('login failed', { address, ...(known ? { user } : {}) });
        return writeError(res, 401, 'wrong user or password');
      }
      await fromRedis(this.limits.user.delete(user));
      const { token, session } = await fromRedis(this.sessions.create(known.name, known.role, this.config.sessionTtlMs));
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: isHttps(req, this.trust),
        path: '/',
        maxAge: this.config.sessionTtlMs,
      });
      this.logger.info('login', { user: known.name, role: known.role, address });
      res.set('Cache-Control', 'no-store').json({ user: session.user, role: session.role, expiresAt: session.expiresAt });
    });
    router.post('/api/logout', async (req, res) => {
      const { token, user } = principalOf(req);
      if (this.config.mode !== 'password' || token === null) throw new HttpError(404, 'logout is not used here');
      await fromRedis(this.sessions.delete(token));
      this.emit('logout', token);
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: isHttps(req, this.trust), path: '/' });
      this.logger.info('logout', { user });
      res.status(204).end();
    });
    router.get('/api/me', (req, res) => {
      const p = principalOf(req);
      res.set('Cache-Control', 'no-store').json({ user: p.user, role: p.role, mode: this.config.mode, maskedAddresses: p.masked });
    });
    return router;
  }
}

/** The request path as routing sees it, for the gate: decoded, lower case (Express routes ignore case), no trailing slash. */
function normalizedPath(url: string): string {
  const raw = url.split('?')[0];
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    path = raw;
  }
  path = path.toLowerCase().replace(/\/+/g, '/');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}
