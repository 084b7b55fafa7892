import argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import type { Role } from '@mmon/shared';

/** One line of MONITOR_USERS_FILE: `user:role:hash`. */
export interface User {
  name: string;
  role: Role;
  /** argon2id (PHC string, "$argon2id$…") or bcrypt ("$2a$", "$2b$", "$2y$"); "" for a role-only line (AUTH_PROXY_HEADER). */
  hash: string;
}

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const ARGON2ID = /^\$argon2id\$v=\d+\$[a-z]=\d+(?:,[a-z]=\d+){2,}\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** A users file line that is wrong; the message names the line and never holds its hash. */
export class UsersFileError extends Error {}

/**
 * Reads the users file: one `user:role:hash` per line (role viewer or admin), blank lines and
 * lines starting with # ignored. `hashOptional`: behind a single sign-on proxy a line may leave
 * the hash empty, since only the role is used.
 */
export function parseUsers(text: string, hashOptional = false): Map<string, User> {
  const users = new Map<string, User>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = `line ${i + 1}`;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) throw new UsersFileError(`${at}: expected user:role:hash`);
    const name = line.slice(0, first);
    const role = line.slice(first + 1, second);
    const hash = line.slice(second + 1);
    if (!NAME.test(name)) throw new UsersFileError(`${at}: a user name is 1 to 64 letters, digits or . _ @ -`);
    if (role !== 'viewer' && role !== 'admin') throw new UsersFileError(`${at}: the role must be viewer or admin`);
    if (!(hash === '' && hashOptional) && !ARGON2ID.test(hash) && !BCRYPT.test(hash)) {
      throw new UsersFileError(`${at}: the hash must be argon2id or bcrypt (node services/api/dist/hash-password.js makes one)`);
    }
    if (users.has(name)) throw new UsersFileError(`${at}: user "${name}" is listed twice`);
    users.set(name, { name, role, hash });
  });
  return users;
}

/** Whether `password` matches `hash` (argon2id or bcrypt); false for an empty or unknown hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (hash.startsWith('$argon2')) return argon2.verify(hash, password).catch(() => false);
  if (hash.startsWith('$2')) return bcrypt.compare(password, hash).catch(() => false);
  return false;
}

/** An argon2id hash with the library's defaults (64 MiB, 3 passes, 4 lanes: OWASP's recommendation at least). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}
