/**
 * Environment configuration. Every variable has a default and is validated at start; a bad value
 * throws a ConfigError that names the variable, and runMain turns it into one line and exit code 2.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function str(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function optionalStr(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function int(env: Env, name: string, fallback: number, opts: { min?: number; max?: number } = {}): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
  const n = Number(value);
  if (opts.min !== undefined && n < opts.min) throw new ConfigError(name, `must be at least ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new ConfigError(name, `must be at most ${opts.max}, got ${n}`);
  return n;
}

export function num(env: Env, name: string, fallback: number, opts: { min?: number; max?: number } = {}): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(value)) throw new ConfigError(name, `must be a number, got "${value}"`);
  const n = Number(value);
  if (opts.min !== undefined && n < opts.min) throw new ConfigError(name, `must be at least ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new ConfigError(name, `must be at most ${opts.max}, got ${n}`);
  return n;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

export function oneOf<T extends string>(env: Env, name: string, fallback: T, values: readonly T[]): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(values as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export function url(env: Env, name: string, fallback: string, protocols: readonly string[]): URL {
  const value = raw(env, name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${redactUrl(value)}"`);
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return parsed;
}

/**
 * Hides credentials in a URL-looking string (or a log line holding URLs), for logs and error
 * messages: user:password@, secret query parameters (pass, passphrase, password, user, username,
 * token; e.g. SRT's passphrase) and the user:pass parts of an SRT streamid ("read:path:user:pass",
 * or "#!::...,u=user,s=pass").
 */
export function redactUrl(value: string): string {
  return value
    .replace(/(\/\/)([^/@\s]*)@/g, (_m, slashes: string) => `${slashes}***@`)
    .replace(/([?&;](?:pass|passphrase|password|user|username|token)=)[^&;\s'"]+/gi, '$1***')
    .replace(/([?&;]streamid=(?:read|publish):[^:&;\s'"]*:)[^&;\s'"]+/gi, '$1***')
    .replace(/((?:,|%2C)[us]=)[^,&;\s'"%]+/gi, '$1***');
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function logLevel(env: Env): LogLevel {
  return oneOf(env, 'LOG_LEVEL', 'info', LOG_LEVELS);
}

/**
 * Where Redis is: REDIS_URL (database, credentials, TLS), and with REDIS_SENTINELS
 * ("host:port,host:port") the primary named REDIS_SENTINEL_NAME as those Sentinels report it.
 */
export interface RedisTarget {
  url: string;
  sentinels: { host: string; port: number }[];
  sentinelName: string;
}

export function redisTarget(env: Env): RedisTarget {
  const sentinels = (optionalStr(env, 'REDIS_SENTINELS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      // A host name or IPv4 address, or an IPv6 address in brackets; nothing else (no scheme, no separators).
      const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/.exec(entry);
      const port = m ? Number(m[3]) : NaN;
      if (!m || port < 1 || port > 65535) throw new ConfigError('REDIS_SENTINELS', `entries must be host:port, got "${entry.replace(/^.*@/, '***@')}"`);
      return { host: m[1] ?? m[2], port };
    });
  return {
    url: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379/0', ['redis', 'rediss']).toString(),
    sentinels,
    sentinelName: str(env, 'REDIS_SENTINEL_NAME', 'mymaster'),
  };
}
