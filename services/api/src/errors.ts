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

/** The one error writer: every error answer is JSON { error, status }. */
export function writeError(res: Response, status: number, message: string): void {
  if (res.headersSent) return;
  res.status(status).type('application/json').send(JSON.stringify({ error: message, status }));
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
