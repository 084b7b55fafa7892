import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { ConfigError, bool, int, logLevel, optionalStr, redisTarget, str, type Env, type LogLevel, type RedisTarget } from '@mmon/shared';
import { DEFAULT_STATIC_DIR } from './app';
import { UsersFileError, parseUsers, type User } from './auth/users';

/**
 * Who may use the api. mode "none": no login (then the api listens on loopback unless API_HOST
 * says otherwise); "password": users of MONITOR_USERS_FILE log in; "proxy": a single sign-on proxy
 * in AUTH_TRUSTED_PROXIES names the user in AUTH_PROXY_HEADER.
 */
export interface AuthConfig {
  mode: 'none' | 'password' | 'proxy';
  /** By name; in proxy mode the roles of the users it lists (others are viewers). */
  users: Map<string, User>;
  /** Lower-case header name (proxy mode). */
  proxyHeader: string | null;
  /** Addresses and CIDRs whose X-Forwarded-For, X-Forwarded-Proto and proxy header are believed. */
  trustedProxies: string[];
  /** Bearer token /metrics requires, when set. */
  metricsToken: string | null;
  /** Masks connection addresses for every role (else only for viewers). */
  maskAddresses: boolean;
  sessionTtlMs: number;
}

export interface ApiConfig {
  redis: RedisTarget;
  port: number;
  host: string;
  staticDir: string;
  logLevel: LogLevel;
  auth: AuthConfig;
}

const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;

export function readAuthConfig(env: Env): AuthConfig {
  const trustedProxies = (optionalStr(env, 'AUTH_TRUSTED_PROXIES') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const entry of trustedProxies) {
    const valid = entry.includes('/') ? isCidr(entry) : ipaddr.isValid(entry);
    if (!valid) throw new ConfigError('AUTH_TRUSTED_PROXIES', `entries must be IP addresses or CIDRs, got "${entry}"`);
  }
  const proxyHeader = optionalStr(env, 'AUTH_PROXY_HEADER')?.toLowerCase() ?? null;
  if (proxyHeader !== null && !HEADER_NAME.test(proxyHeader)) throw new ConfigError('AUTH_PROXY_HEADER', 'must be a header name, e.g. X-Forwarded-User');
  if (proxyHeader !== null && trustedProxies.length === 0) {
    throw new ConfigError('AUTH_PROXY_HEADER', 'needs AUTH_TRUSTED_PROXIES: the addresses of the proxies allowed to set it');
  }
  const usersFile = optionalStr(env, 'MONITOR_USERS_FILE');
  let users = new Map<string, User>();
  if (usersFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(usersFile, 'utf8');
    } catch (err) {
      throw new ConfigError('MONITOR_USERS_FILE', `cannot read ${usersFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      users = parseUsers(text, proxyHeader !== null);
    } catch (err) {
      if (err instanceof UsersFileError) throw new ConfigError('MONITOR_USERS_FILE', `${usersFile} ${err.message}`);
      throw err;
    }
    if (users.size === 0 && proxyHeader === null) throw new ConfigError('MONITOR_USERS_FILE', `${usersFile} lists no user`);
  }
  const metricsToken = optionalStr(env, 'METRICS_TOKEN') ?? null;
  if (metricsToken !== null && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) {
    // never the value itself in the message
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 printable characters without spaces');
  }
  return {
    mode: proxyHeader !== null ? 'proxy' : usersFile !== undefined ? 'password' : 'none',
    users,
    proxyHeader,
    trustedProxies,
    metricsToken,
    maskAddresses: bool(env, 'PRIVACY_MASK_ADDRESSES', false),
    sessionTtlMs: int(env, 'SESSION_MAX_AGE_MS', 12 * 3_600_000, { min: 60_000, max: 30 * 24 * 3_600_000 }),
  };
}

function isCidr(entry: string): boolean {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

export function readConfig(env: Env): ApiConfig {
  const auth = readAuthConfig(env);
  return {
    redis: redisTarget(env),
    port: int(env, 'API_PORT', 8080, { min: 0, max: 65535 }),
    // Nobody logs in: only this machine may look, unless the operator says otherwise.
    host: str(env, 'API_HOST', auth.mode === 'none' ? '127.0.0.1' : '0.0.0.0'),
    staticDir: str(env, 'API_STATIC_DIR', DEFAULT_STATIC_DIR),
    logLevel: logLevel(env),
    auth,
  };
}
