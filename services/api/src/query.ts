import type { Request } from 'express';
import { HttpError } from './errors';

/**
 * Reads a request's query against the parameters a route knows: an unknown parameter, a repeated
 * one or a value that does not match its pattern is a 400 with a message naming it.
 */
export function readQuery<K extends string>(req: Request, allowed: Record<K, RegExp>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [name, value] of Object.entries(req.query)) {
    if (!(name in allowed)) throw new HttpError(400, `unknown query parameter "${name}"`);
    if (typeof value !== 'string') throw new HttpError(400, `query parameter "${name}" must be given once`);
    if (!allowed[name as K].test(value)) throw new HttpError(400, `query parameter "${name}" is malformed`);
    out[name as K] = value;
  }
  return out;
}

export const NODE_ID = /^[A-Za-z0-9._-]+$/;

/** A stream name as a query value: 1 to 1024 characters, no NUL. */
export const STREAM_NAME = /^[^\0]{1,1024}$/;
