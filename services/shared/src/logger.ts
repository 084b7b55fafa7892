import winston from 'winston';
import type { LogLevel } from './config';

export type Logger = winston.Logger;

/** Structured JSON logs on stdout, one object per line, tagged with the service name. */
export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: false }), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

/**
 * Logs a fault once when it starts or changes, and once when it ends, instead of once per cycle.
 * `fail` and `ok` return true when the state changed.
 */
export class FaultLog {
  private readonly current = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  fail(source: string, err: unknown, meta: Record<string, unknown> = {}): boolean {
    const message = errorMessage(err);
    if (this.current.get(source) === message) return false;
    this.current.set(source, message);
    this.logger.warn(`${source} failing`, { source, error: message, ...meta });
    return true;
  }

  ok(source: string, meta: Record<string, unknown> = {}): boolean {
    if (!this.current.has(source)) return false;
    this.current.delete(source);
    this.logger.info(`${source} recovered`, { source, ...meta });
    return true;
  }

  failing(source: string): string | undefined {
    return this.current.get(source);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
