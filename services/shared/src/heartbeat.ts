import { writeFile } from 'node:fs/promises';
import { optionalStr, type Env } from './config';

/**
 * A file a service loop rewrites after every cycle (HEARTBEAT_FILE), so that a container
 * healthcheck can tell a running loop from a hung one: see healthcheck.ts. Writing never fails
 * the loop.
 */
export class Heartbeat {
  constructor(private readonly file: string) {}

  static fromEnv(env: Env): Heartbeat | null {
    const file = optionalStr(env, 'HEARTBEAT_FILE');
    return file === undefined ? null : new Heartbeat(file);
  }

  async beat(nowMs: number = Date.now()): Promise<void> {
    await writeFile(this.file, `${new Date(nowMs).toISOString()}\n`).catch(() => undefined);
  }
}
