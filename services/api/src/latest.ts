import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { FaultLog, StreamReader, keys, type Logger, type StreamsMeta, type UpdateKind } from '@mmon/shared';

/** The prepared answer of /api/streams/latest: the bytes as Redis holds them, with a validator. */
export interface StreamsBody {
  body: Buffer;
  etag: string;
  meta: StreamsMeta | null;
}

const EMPTY: StreamsBody = { body: Buffer.from('[]'), etag: '"empty"', meta: null };

/**
 * The latest values, kept in memory and refreshed when a collector, sysmon or the snapshotter
 * announces a write on Pub/Sub (and once both Redis connections are up again after a reconnect),
 * so requests never touch Redis.
 * Emits 'update' with the kind after each refresh.
 */
export class LatestCache extends EventEmitter {
  streams: StreamsBody = EMPTY;
  system: string | null = null;
  snapshots: string | null = null;
  private readonly reader: StreamReader;
  private readonly faults: FaultLog;
  private readonly byNode = new Map<string, Buffer>();

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    logger: Logger,
  ) {
    super();
    this.reader = new StreamReader(redis);
    this.faults = new FaultLog(logger);
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, message: string) => {
      const kind = parseKind(message);
      if (kind) void this.refresh(kind);
    });
    // Read everything once both connections are (again) up: nothing announced meanwhile is missed.
    const bothReady = () => this.redis.status === 'ready' && this.subscriber.status === 'ready';
    const onReady = () => {
      if (bothReady()) void this.refreshAll();
    };
    this.subscriber.on('ready', onReady);
    this.redis.on('ready', onReady);
    // Not awaited: with Redis away the subscription waits for it, and is replayed after every reconnect.
    this.subscriber.subscribe(keys.updates).catch((err: unknown) => this.faults.fail('redis subscribe', err));
    if (bothReady()) await this.refreshAll();
  }

  async refreshAll(): Promise<void> {
    await Promise.all((['streams', 'system', 'snapshots'] as const).map((k) => this.refresh(k)));
  }

  async refresh(kind: UpdateKind): Promise<void> {
    try {
      if (kind === 'streams') {
        const { body, meta } = await this.reader.latest();
        this.streams = { body, meta, etag: `"${meta?.collectedAt ?? 'none'}-${body.length}"` };
        this.byNode.clear();
      } else if (kind === 'system') {
        this.system = await this.redis.get(keys.systemLatest);
      } else {
        this.snapshots = await this.redis.get(keys.snapshotsIndex);
      }
      this.faults.ok('redis read');
    } catch (err) {
      this.faults.fail('redis read', err);
      return;
    }
    this.emit('update', kind);
  }

  /** The streams of one node, serialized once per update. */
  streamsOfNode(node: string): Buffer {
    let body = this.byNode.get(node);
    if (!body) {
      const all = JSON.parse(this.streams.body.toString('utf8')) as { node: string }[];
      body = Buffer.from(JSON.stringify(all.filter((s) => s.node === node)));
      this.byNode.set(node, body);
    }
    return body;
  }
}

function parseKind(message: string): UpdateKind | null {
  try {
    const kind = (JSON.parse(message) as { kind?: unknown }).kind;
    return kind === 'streams' || kind === 'system' || kind === 'snapshots' ? kind : null;
  } catch {
    return null;
  }
}
