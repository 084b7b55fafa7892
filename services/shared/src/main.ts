import { ConfigError } from './config';

export interface Service {
  stop(): Promise<void>;
}

/**
 * The frame of every entry point: builds the service, turns a ConfigError into one line on stderr
 * and exit code 2, and stops the service cleanly on SIGTERM or SIGINT.
 */
export function runMain(start: () => Promise<Service> | Service): void {
  let service: Service | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const done = (code: number) => process.exit(code);
    if (!service) return done(0);
    service.stop().then(
      () => done(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping after ${signal}: ${String(err)}\n`);
        done(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  Promise.resolve()
    .then(start)
    .then(
      (s) => {
        service = s;
        if (stopping) void s.stop().then(() => process.exit(0));
      },
      (err: unknown) => {
        if (err instanceof ConfigError) {
          process.stderr.write(`configuration error: ${err.message}\n`);
          process.exit(2);
        }
        process.stderr.write(`failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(1);
      },
    );
}
