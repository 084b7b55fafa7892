import type Redis from 'ioredis';
import { keys } from './keys';
import type { CollectorStatus, StreamsMeta } from './model';
import { execResults } from './execResults';

/**
 * Writes one node's summaries, status and (when given) connection detail, rebuilds the merged
 * summaries (the design's mediamtx:streams:latest) from every node's, and publishes, all in one
 * atomic script: two collectors for two nodes can never interleave into a view that mixes old and
 * new halves. Node arrays are spliced as text, so Redis never parses the JSON.
 *
 * Every key comes through KEYS. The other nodes' summary keys are those of the nodes the caller
 * believes exist (sorted ids in ARGV, their keys in KEYS in the same order); when the nodes set
 * says otherwise, the script writes nothing and answers the actual ids, and the caller runs it
 * again with those.
 *
 * KEYS: status, summaries, details, watch, nodes set, latest, meta, then each node's summaries.
 * ARGV: node, summaries JSON, status JSON, ttl (s), collectedAt, channel, message, now (ms),
 * detail mode ("replace": the details hash becomes the pairs; "merge": the pairs are set;
 * "keep"), mergeMinMs, node count n, the n node ids, then detail name/JSON pairs.
 * Answers { 1, names whose detail a client views } or { 0, node ids }.
 */
const PUBLISH_NODE = `
local status, summaries, details, watch, nodesSet, latest, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local node, summariesJson, statusJson, ttl, collectedAt, channel, message, now, mode, mergeMinMs, n =
  ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9], tonumber(ARGV[10]), tonumber(ARGV[11])
local firstId, firstPair = 12, 12 + n
local ids = redis.call('SMEMBERS', nodesSet)
local known = {}
for _, id in ipairs(ids) do known[id] = true end
if not known[node] then ids[#ids + 1] = node end
table.sort(ids)
local same = #ids == n
if same then
  for i = 1, n do
    if ARGV[firstId + i - 1] ~= ids[i] then same = false break end
  end
end
if not same then return { 0, ids } end

redis.call('SADD', nodesSet, node)
redis.call('SET', summaries, summariesJson, 'EX', ttl)
redis.call('SET', status, statusJson, 'EX', ttl)
if mode == 'replace' then redis.call('DEL', details) end
for i = firstPair, #ARGV, 2000 do
  redis.call('HSET', details, unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end
if redis.call('EXISTS', details) == 1 then redis.call('EXPIRE', details, ttl) end

-- The merged view is rebuilt at most once per mergeMinMs while the set of nodes stays the same:
-- with hundreds of nodes publishing every second, a rebuild per publish would cost Redis
-- nodes x view size every second. Readers of one node use its own key, which is always fresh.
local t = redis.call('TIME')
local nowRedis = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rebuild = true
local prev = redis.call('GET', meta)
if prev and mergeMinMs > 0 then
  local ok, m = pcall(cjson.decode, prev)
  if ok and type(m) == 'table' and type(m.builtAt) == 'number' and type(m.nodes) == 'table' and #m.nodes == n
    and nowRedis >= m.builtAt and nowRedis - m.builtAt < mergeMinMs then
    rebuild = false
  end
end
if rebuild then
  local parts, names = {}, {}
  for i = 1, n do
    local id = ARGV[firstId + i - 1]
    local s = redis.call('GET', KEYS[7 + i])
    if s then
      local inner = string.match(s, '^%s*%[(.*)%]%s*$')
      if inner and string.find(inner, '%S') then parts[#parts + 1] = inner end
      names[#names + 1] = cjson.encode(id)
    else
      redis.call('SREM', nodesSet, id)
    end
  end
  redis.call('SET', latest, '[' .. table.concat(parts, ',') .. ']')
  redis.call('SET', meta, '{"collectedAt":"' .. collectedAt .. '","builtAt":' .. nowRedis .. ',"nodes":[' .. table.concat(names, ',') .. ']}')
end
redis.call('PUBLISH', channel, message)

redis.call('ZREMRANGEBYSCORE', watch, '-inf', now)
return { 1, redis.call('ZRANGE', watch, 0, -1) }
`;

/** Only the status changes (MediaMTX unreachable): the node's last data is kept and its expiry renewed. */
const KEEP_NODE = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[2]))
redis.call('SADD', KEYS[4], ARGV[3])
return 1
`;

/** How a cycle's connection detail is stored: all of it (replacing the node's), some of it, or none. */
export type DetailWrite = { mode: 'replace' | 'merge'; entries: [name: string, json: string][] } | { mode: 'keep' };

/** Writes what collectors learn about their nodes (the only writer of the node and streams keys). */
export class StreamStore {
  /** The node ids the last script saw, sorted. */
  private nodeIds: string[] = [];

  constructor(
    private readonly redis: Redis,
    /** How long a node's data outlives its collector. */
    private readonly nodeTtlSeconds: number,
    /** The merged view is rebuilt at most this often while the nodes stay the same (0: on every publish). */
    private readonly mergeMinMs = 0,
  ) {}

  /**
   * Stores a node's fresh summaries (a JSON array, already serialized), its status and its
   * detail, and publishes. Answers the names of the node's streams whose detail a client views.
   */
  async publishNode(status: CollectorStatus, summariesJson: string, detail: DetailWrite, collectedAt: string, nowMs: number): Promise<string[]> {
    const node = status.node;
    const message = JSON.stringify({ kind: 'streams', at: collectedAt, node });
    const pairs = detail.mode === 'keep' ? [] : detail.entries.flat();
    const statusJson = JSON.stringify(status);
    for (let attempt = 0; attempt < 5; attempt++) {
      const ids = this.nodeIds.includes(node) ? this.nodeIds : [...this.nodeIds, node].sort();
      const [ok, list] = (await this.redis.eval(
        PUBLISH_NODE,
        7 + ids.length,
        keys.nodeStatus(node),
        keys.nodeSummaries(node),
        keys.nodeDetails(node),
        keys.nodeWatch(node),
        keys.nodes,
        keys.streamsLatest,
        keys.streamsMeta,
        ...ids.map((id) => keys.nodeSummaries(id)),
        node,
        summariesJson,
        statusJson,
        this.nodeTtlSeconds,
        collectedAt,
        keys.updates,
        message,
        nowMs,
        detail.mode,
        this.mergeMinMs,
        ids.length,
        ...ids,
        ...pairs,
      )) as [number, string[]];
      if (ok === 1) return list;
      this.nodeIds = list;
    }
    throw new Error('the set of nodes kept changing while publishing');
  }

  /** Records a failed poll: the status changes, the last summaries and detail stay. */
  async keepNode(status: CollectorStatus): Promise<void> {
    await this.redis.eval(
      KEEP_NODE,
      4,
      keys.nodeStatus(status.node),
      keys.nodeSummaries(status.node),
      keys.nodeDetails(status.node),
      keys.nodes,
      JSON.stringify(status),
      this.nodeTtlSeconds,
      status.node,
    );
  }
}

/** Reads what the collectors wrote (the api, the snapshotter, the alerter). */
export class StreamReader {
  constructor(private readonly redis: Redis) {}

  /** The merged summaries array and its meta, read together. */
  async latest(): Promise<{ body: Buffer; meta: StreamsMeta | null }> {
    const [body, meta] = await this.redis.multi().getBuffer(keys.streamsLatest).get(keys.streamsMeta).exec().then(execResults);
    return {
      body: (body as Buffer | null) ?? Buffer.from('[]'),
      meta: meta ? (JSON.parse(meta as string) as StreamsMeta) : null,
    };
  }

  /** One node's summaries (the JSON array as stored; null when the node has none) and the meta, read together. */
  async node(node: string): Promise<{ body: Buffer | null; meta: StreamsMeta | null }> {
    const [body, meta] = await this.redis.multi().getBuffer(keys.nodeSummaries(node)).get(keys.streamsMeta).exec().then(execResults);
    return { body: body as Buffer | null, meta: meta ? (JSON.parse(meta as string) as StreamsMeta) : null };
  }

  /** The stored detail parts (JSON StreamDetailPart, or null) of some streams of one node, in order. */
  async details(node: string, names: string[]): Promise<(string | null)[]> {
    if (names.length === 0) return [];
    return this.redis.hmget(keys.nodeDetails(node), ...names);
  }

  /** Every stored detail part of one node, by stream name. */
  async allDetails(node: string): Promise<Record<string, string>> {
    return this.redis.hgetall(keys.nodeDetails(node));
  }

  /** Marks streams of a node as viewed until `untilMs`, so their collector refreshes their detail every cycle. */
  async watch(node: string, names: string[], untilMs: number): Promise<void> {
    if (names.length === 0) return;
    const key = keys.nodeWatch(node);
    await this.redis
      .multi()
      .zadd(key, ...names.flatMap((name) => [untilMs, name]))
      .pexpireat(key, untilMs)
      .exec()
      .then(execResults);
  }

  async statuses(): Promise<CollectorStatus[]> {
    const ids = (await this.redis.smembers(keys.nodes)).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => keys.nodeStatus(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as CollectorStatus);
  }
}
