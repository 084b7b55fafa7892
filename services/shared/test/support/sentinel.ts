import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import type { RedisTarget } from '../../src/config';
import { eventually } from './eventually';
import { freePort, waitForPort } from './redisServer';

export interface SentinelGroupOptions {
  /** The primary's name as the Sentinels know it. */
  name?: string;
  /** A primary silent this long is down (Sentinel's default is 30 s). */
  downAfterMs?: number;
  /** Sentinel's failover-timeout; a failed election is retried after twice this. */
  failoverTimeoutMs?: number;
}

interface Instance {
  role: 'primary' | 'replica' | 'sentinel';
  port: number;
  child: ChildProcess;
  log: string;
}

/**
 * Real Redis high availability on loopback: a redis-server primary, one replica of it and three
 * redis-sentinel processes watching them (quorum 2), each on a free port, each logging to its own
 * file in a temporary folder. start() returns once the replica is in sync and every Sentinel knows
 * the replica and the two other Sentinels, so that a failover can be authorized.
 */
export class SentinelGroup {
  readonly name: string;
  private readonly instances: Instance[] = [];

  private constructor(
    private readonly dir: string,
    private readonly opts: Required<SentinelGroupOptions>,
  ) {
    this.name = opts.name;
  }

  static async start(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
    const opts = { name: 'mymaster', downAfterMs: 1000, failoverTimeoutMs: 3000, ...options };
    const group = new SentinelGroup(mkdtempSync(path.join(tmpdir(), 'mmon-sentinel-')), opts);
    try {
      await group.startAll();
    } catch (err) {
      group.stop();
      throw err;
    }
    return group;
  }

  /** "host:port" of the three Sentinels, as REDIS_SENTINELS takes them. */
  get sentinelList(): string {
    return this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  get sentinelPorts(): number[] {
    return this.instances.filter((i) => i.role === 'sentinel').map((i) => i.port);
  }

  /** The Redis target of the services: REDIS_URL names the database only, the Sentinels find the primary. */
  target(db = 0): RedisTarget {
    return { url: `redis://127.0.0.1:1/${db}`, sentinels: this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), sentinelName: this.name };
  }

  /** The port of the server that started as primary, and of the one that started as its replica. */
  get primaryPort(): number {
    return this.instance('primary').port;
  }

  get replicaPort(): number {
    return this.instance('replica').port;
  }

  /** The primary's port as every Sentinel reports it; throws while they disagree. */
  async reportedPrimaryPort(): Promise<number> {
    const ports = await Promise.all(
      this.sentinelPorts.map((port) =>
        this.ask(port, async (c) => Number(((await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as string[])[1])),
      ),
    );
    if (new Set(ports).size !== 1) throw new Error(`the Sentinels disagree on the primary: ${ports.join(', ')}`);
    return ports[0];
  }

  /** Whether the process that started as `role` is still running. */
  running(role: 'primary' | 'replica'): boolean {
    const { child } = this.instance(role);
    return child.exitCode === null && child.signalCode === null;
  }

  /** Ends the primary at once (SIGKILL), as a crashed machine would; resolves once it has exited. */
  async killPrimary(): Promise<void> {
    const { child } = this.instance('primary');
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** A failover with the primary still running (SENTINEL FAILOVER), as an operator starts one. */
  async failover(): Promise<void> {
    await this.ask(this.sentinelPorts[0], (c) => c.call('SENTINEL', 'FAILOVER', this.name));
  }

  /** The last lines of every instance's log, to explain a failure. */
  logs(lines = 15): string {
    return this.instances
      .map((i) => {
        let text = '';
        try {
          text = readFileSync(i.log, 'utf8');
        } catch {
          text = '(no log)';
        }
        return `--- ${i.role} :${i.port}\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
      })
      .join('\n');
  }

  /** Kills every process and removes the folder. */
  stop(): void {
    for (const { child } of this.instances) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private instance(role: Instance['role']): Instance {
    return this.instances.find((i) => i.role === role)!;
  }

  private async startAll(): Promise<void> {
    const primary = await this.server('primary', []);
    const replica = await this.server('replica', ['--replicaof', '127.0.0.1', String(primary)]);
    await eventually(() => this.ask(replica, async (c) => check(/master_link_status:up/.test(await c.info('replication')), 'the replica is not in sync')), 10000, 100);
    for (let i = 0; i < 3; i++) await this.sentinel(primary);
    // CKQUORUM answers OK once a Sentinel sees the two others, so that a failover can be authorized.
    await eventually(
      async () => {
        for (const port of this.sentinelPorts) {
          await this.ask(port, async (c) => {
            const quorum = String(await c.call('SENTINEL', 'CKQUORUM', this.name));
            check(quorum.startsWith('OK 3 usable'), `Sentinel :${port}: ${quorum}`);
            const replicas = (await c.call('SENTINEL', 'REPLICAS', this.name)) as string[][];
            const flags = replicas.map((r) => r[r.indexOf('flags') + 1]).join(' ');
            check(flags === 'slave', `Sentinel :${port} sees replicas "${flags}"`);
          });
        }
      },
      20000,
      200,
    );
  }

  private async server(role: 'primary' | 'replica', extra: string[]): Promise<number> {
    const port = await freePort();
    const log = path.join(this.dir, `${role}.log`);
    // A replica stores what it receives from its primary in its dir: the temporary folder, never the working directory.
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--logfile', log, ...extra];
    this.instances.push({ role, port, log, child: spawn('redis-server', args, { stdio: 'ignore' }) });
    await waitForPort(port);
    return port;
  }

  private async sentinel(primaryPort: number): Promise<void> {
    const port = await freePort();
    const file = path.join(this.dir, `sentinel-${port}.conf`);
    const log = path.join(this.dir, `sentinel-${port}.log`);
    // Sentinel rewrites its configuration file as it learns, so each one has its own, writable.
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `logfile ${log}`,
        `sentinel monitor ${this.name} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${this.name} ${this.opts.downAfterMs}`,
        `sentinel failover-timeout ${this.name} ${this.opts.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${this.name} 1`,
        '',
      ].join('\n'),
    );
    this.instances.push({ role: 'sentinel', port, log, child: spawn('redis-sentinel', [file], { stdio: 'ignore' }) });
    await waitForPort(port);
  }

  /** One short-lived plain connection to an instance. */
  private async ask<T>(port: number, work: (c: Redis) => Promise<T>): Promise<T> {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await work(client);
    } finally {
      client.disconnect();
    }
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}
