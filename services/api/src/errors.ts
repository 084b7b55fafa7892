import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** An error that maps to an HTTP status; its message is safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Awaits a Redis read made for a request; Redis being away becomes a 503 answer. */
export async function fromRedis<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch {
    throw new HttpError(503, 'redis unavailable');
  }
}

/**
 * The one error writer: every error answer is JSON { error, status }. It takes the bare Node
 * response, so that what runs before Express (the access gate, the prepared fast path) answers alike.
 */
export function writeError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ error: message, status });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function notFound(_req: Request, res: Response): void {
  writeError(res, 404, 'not found');
}

export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof HttpError) return writeError(res, err.status, err.message);
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return writeError(res, status, 'bad request');
  writeError(res, 500, 'internal error');
}
