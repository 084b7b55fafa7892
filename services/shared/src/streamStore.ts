import type Redis from 'ioredis';
import { keys } from './keys';
import type { CollectorStatus, StreamsMeta } from './model';

/**
 * Writes one node's streams and status, then rebuilds the merged view (the design's
 * mediamtx:streams:latest) from every node's streams, and publishes, all in one atomic script:
 * two collectors for two nodes can never interleave into a view that mixes old and new halves.
 * Node arrays are spliced as text, so Redis never parses the JSON.
 */
const PUBLISH_NODE = `
local nodeStreams, nodeStatus, nodesSet, latest, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local node, streamsJson, statusJson, ttl, collectedAt, channel, message, pattern =
  ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], ARGV[8]
redis.call('SET', nodeStreams, streamsJson, 'EX', ttl)
redis.call('SET', nodeStatus, statusJson, 'EX', ttl)
redis.call('SADD', nodesSet, node)
local ids = redis.call('SMEMBERS', nodesSet)
table.sort(ids)
local parts, names = {}, {}
for _, id in ipairs(ids) do
  local s = redis.call('GET', string.format(pattern, id))
  if s then
    local inner = string.match(s, '^%s*%[(.*)%]%s*$')
    if inner and string.find(inner, '%S') then parts[#parts + 1] = inner end
    names[#names + 1] = '"' .. id .. '"'
  else
    redis.call('SREM', nodesSet, id)
  end
end
redis.call('SET', latest, '[' .. table.concat(parts, ',') .. ']')
redis.call('SET', meta, '{"collectedAt":"' .. collectedAt .. '","nodes":[' .. table.concat(names, ',') .. ']}')
redis.call('PUBLISH', channel, message)
return #ids
`;

/** Only the status changes (MediaMTX unreachable): the node's last streams are kept and their expiry renewed. */
const KEEP_NODE = `
redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
redis.call('SADD', KEYS[3], ARGV[3])
return 1
`;

export class StreamStore {
  constructor(
    private readonly redis: Redis,
    /** How long a node's data outlives its collector. */
    private readonly nodeTtlSeconds: number,
  ) {}

  /** Stores a node's fresh streams (a JSON array, already serialized) and its status, and publishes. */
  async publishNode(status: CollectorStatus, streamsJson: string, collectedAt: string): Promise<void> {
    const node = status.node;
    const message = JSON.stringify({ kind: 'streams', at: collectedAt, node });
    await this.redis.eval(
      PUBLISH_NODE,
      5,
      keys.nodeStreams(node),
      keys.nodeStatus(node),
      keys.nodes,
      keys.streamsLatest,
      keys.streamsMeta,
      node,
      streamsJson,
      JSON.stringify(status),
      this.nodeTtlSeconds,
      collectedAt,
      keys.updates,
      message,
      keys.nodeStreams('%s'),
    );
  }

  /** Records a failed poll: the status changes, the last streams stay. */
  async keepNode(status: CollectorStatus): Promise<void> {
    await this.redis.eval(
      KEEP_NODE,
      3,
      keys.nodeStreams(status.node),
      keys.nodeStatus(status.node),
      keys.nodes,
      JSON.stringify(status),
      this.nodeTtlSeconds,
      status.node,
    );
  }
}

/** Reads what the collectors wrote; used by the API. */
export class StreamReader {
  constructor(private readonly redis: Redis) {}

  /** The merged streams array and its meta, read together. */
  async latest(): Promise<{ body: Buffer; meta: StreamsMeta | null }> {
    const [body, meta] = await this.redis.multi().getBuffer(keys.streamsLatest).get(keys.streamsMeta).exec().then(results);
    return {
      body: (body as Buffer | null) ?? Buffer.from('[]'),
      meta: meta ? (JSON.parse(meta as string) as StreamsMeta) : null,
    };
  }

  async statuses(): Promise<CollectorStatus[]> {
    const ids = (await this.redis.smembers(keys.nodes)).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => keys.nodeStatus(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as CollectorStatus);
  }
}

function results(res: [Error | null, unknown][] | null): unknown[] {
  if (!res) throw new Error('transaction aborted');
  return res.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
