import type Redis from 'ioredis';
import { keys } from '../keys';
import type { StreamSummary } from '../model';
import { Bucket } from './buckets';
import { formatDuration, type HistoryTier } from './tiers';

/**
 * Writes one bucket of the finest tier for many series and rolls the coarser tiers up, inside
 * Redis. For every series (its T tier keys in KEYS, finest first) and tier: the bucket is added
 * unless the tier already holds it or a later one (a restarted collector, or a second writer,
 * never writes a bucket twice); when the tier's previous entry lies in an earlier bucket of the
 * next tier, that bucket is complete and is rolled up from the entries in Redis (see buckets.ts
 * for the format and the rules), so a collector restarted mid-bucket leaves no gap. Entries are
 * trimmed by time (MINID ~, whole nodes) and every key expires with its tier, so a stream that
 * went away takes its history along. One series failing (a key of another type) is counted and
 * the others are written.
 *
 * KEYS: the tiers key, then each series' T keys.
 * ARGV: tiers JSON, T, the T resolutions, the T retentions (ms), the bucket start (ms), the
 * layout, then each series' values.
 * Answers { series written, series failed, the first failure's message or '' }.
 */
const WRITE = `
redis.call('SET', KEYS[1], ARGV[1])
local T = tonumber(ARGV[2])
local res, ret = {}, {}
for j = 1, T do
  res[j] = tonumber(ARGV[2 + j])
  ret[j] = tonumber(ARGV[2 + T + j])
end
local start, layout, first = tonumber(ARGV[3 + 2 * T]), ARGV[4 + 2 * T], 5 + 2 * T

local function id(ms) return string.format('%d', ms) end

local layouts = {}
local function namesOf(layout)
  local names = layouts[layout]
  if names == nil then
    names = {}
    for name in string.gmatch(layout, '[^,]+') do names[#names + 1] = name end
    layouts[layout] = names
  end
  return names
end

local function lastTime(key)
  local e = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
  if e then return tonumber(string.match(e[1], '^%d+')) end
  return nil
end

local null = cjson.null
local function rollup(entries)
  local order, value, weight, lo, hi = {}, {}, {}, {}, {}
  for _, e in ipairs(entries) do
    local names, values = namesOf(e[2][1]), cjson.decode(e[2][2] or '[]')
    local w = tonumber(values[1]) or 1
    for i, name in ipairs(names) do
      if weight[name] == nil then
        order[#order + 1] = name
        weight[name] = 0
      end
      local v = values[i]
      if v ~= nil and v ~= null then
        if name == 'n' then
          value[name] = (value[name] or 0) + v
        elseif name == 'h' then
          if value[name] == nil or v > value[name] then value[name] = v end
        else
          local avg, mn, mx = v, v, v
          if type(v) == 'table' then avg, mn, mx = v[1], v[2], v[3] end
          value[name] = (value[name] or 0) + avg * w
          weight[name] = weight[name] + w
          if lo[name] == nil or mn < lo[name] then lo[name] = mn end
          if hi[name] == nil or mx > hi[name] then hi[name] = mx end
        end
      end
    end
  end
  local out = {}
  for i, name in ipairs(order) do
    local v = value[name]
    if v == nil then
      out[i] = null
    elseif weight[name] > 0 then
      out[i] = math.floor(v / weight[name] + 0.5)
      if name ~= 'o' and lo[name] ~= hi[name] then out[i] = { out[i], lo[name], hi[name] } end
    else
      out[i] = v
    end
  end
  return table.concat(order, ','), cjson.encode(out)
end

local function write(i, values)
  local t, lay = start, layout
  for j = 1, T do
    local key = KEYS[1 + i * T + j]
    local prev = lastTime(key)
    if prev and prev >= t then return (j > 1) and 1 or 0 end
    redis.call('XADD', key, 'MINID', '~', id(math.max(0, t - ret[j])), id(t) .. '-1', lay, values)
    redis.call('PEXPIRE', key, ret[j])
    if j == T or prev == nil then return 1 end
    local size = res[j + 1]
    local bucket = prev - prev % size
    if bucket == t - t % size then return 1 end
    lay, values = rollup(redis.call('XRANGE', key, id(bucket), id(bucket + size - 1)))
    t = bucket
  end
  return 1
end

local written, failed, message = 0, 0, ''
for i = 0, #ARGV - first do
  local ok, r = pcall(write, i, ARGV[first + i])
  if ok then
    written = written + r
  else
    failed = failed + 1
    if message == '' then message = type(r) == 'table' and tostring(r.err) or tostring(r) end
  end
end
return { written, failed, message }
`;

/** Series per script: a script blocks Redis while it runs, so a large node is written in a few (one pipeline). */
const SERIES_PER_SCRIPT = 500;

/** What one write did: series written (new buckets), skipped (already there), failed (with the first failure). */
export interface HistoryWriteResult {
  written: number;
  skipped: number;
  failed: number;
  error: string | null;
}

interface OpenSeries {
  /** The series' tier keys, finest first, built once while the series is seen. */
  keys: string[];
  /** The bucket being filled; null once written, until the series' next sample. */
  bucket: Bucket | null;
}

/** Finished buckets to write: their series' keys and the bucket. */
type Due = { keys: string[]; bucket: Bucket }[];

/**
 * History of many series in tiers (see tiers.ts). Samples are merged in memory into the finest
 * tier's current bucket (so a spike between two writes is kept as its maximum); a bucket is
 * written once a sample arrives for a later one, every open series of every node at once, in one
 * pipeline (a script per SERIES_PER_SCRIPT series). What is in memory is at most one bucket per
 * series; everything older lives in Redis.
 */
class TieredWriter {
  private readonly open = new Map<string, OpenSeries>();
  private readonly tiersJson: string;
  private readonly head: (string | number)[];
  readonly labels: string[];

  constructor(
    private readonly redis: Redis,
    private readonly tiers: readonly HistoryTier[],
    private readonly tiersKey: string,
  ) {
    this.tiersJson = JSON.stringify(tiers);
    this.labels = tiers.map((t) => formatDuration(t.resolutionMs));
    this.head = [tiers.length, ...tiers.map((t) => t.resolutionMs), ...tiers.map((t) => t.retentionMs)];
  }

  /** The start of the finest bucket holding a time. */
  bucketOf(ms: number): number {
    const res = this.tiers[0].resolutionMs;
    return ms - (ms % res);
  }

  /**
   * The buckets that ended before `bucket`, taken out of memory. A series with no sample since
   * its last bucket was written is gone and forgotten.
   */
  takeDue(bucket: number): Due {
    const due: Due = [];
    for (const [id, series] of this.open) {
      if (series.bucket === null) this.open.delete(id);
      else if (series.bucket.t < bucket) {
        due.push({ keys: series.keys, bucket: series.bucket });
        series.bucket = null;
      }
    }
    return due;
  }

  /** The current bucket of a series (opened at `bucket`; a clock that went back keeps filling the open one). */
  bucketFor(id: string, bucket: number, keysOf: () => string[]): Bucket {
    let series = this.open.get(id);
    if (series === undefined) {
      series = { keys: keysOf(), bucket: null };
      this.open.set(id, series);
    }
    series.bucket ??= new Bucket(bucket);
    return series.bucket;
  }

  /** What the last write of finished buckets did (a series that failed is left out, the others are written). */
  lastWrite: HistoryWriteResult = { written: 0, skipped: 0, failed: 0, error: null };

  async write(due: Due): Promise<void> {
    if (due.length === 0) return;
    const result: HistoryWriteResult = { written: 0, skipped: 0, failed: 0, error: null };
    const groups = new Map<string, Due>();
    for (const entry of due) {
      const group = `${entry.bucket.t}|${entry.bucket.layout()}`;
      const list = groups.get(group);
      if (list) list.push(entry);
      else groups.set(group, [entry]);
    }
    const pipeline = this.redis.pipeline();
    for (const list of groups.values()) {
      for (let i = 0; i < list.length; i += SERIES_PER_SCRIPT) {
        const chunk = list.slice(i, i + SERIES_PER_SCRIPT);
        const args: (string | number)[] = [WRITE, 1 + chunk.length * this.tiers.length, this.tiersKey];
        for (const { keys } of chunk) for (const key of keys) args.push(key);
        args.push(this.tiersJson, ...this.head, chunk[0].bucket.t, chunk[0].bucket.layout());
        for (const { bucket } of chunk) args.push(bucket.values());
        pipeline.call('EVAL', args);
      }
    }
    const answers = (await pipeline.exec()) ?? [];
    let total = 0;
    for (const [err, answer] of answers) {
      if (err) throw err;
      const [written, failed, message] = answer as [number, number, string];
      result.written += written;
      result.failed += failed;
      total += written + failed;
      if (failed > 0 && result.error === null) result.error = message;
    }
    result.skipped = due.length - total;
    this.lastWrite = result;
  }
}

/** The stream figures kept in history, as stored and served (srtLoss… are the SRT publisher's 10 s counts). */
export const STREAM_HISTORY_METRICS = ['readers', 'recvRateMbps', 'sendRateMbps', 'rtt', 'linkCapacityMbps', 'srtLoss', 'srtRetrans', 'srtDrop'] as const;

/** What history reads of a stream: its summary's identity, state and figures. */
export type HistorySource = Pick<StreamSummary, 'node' | 'name' | 'online' | 'readers' | 'recvRateMbps' | 'sendRateMbps' | 'rtt' | 'health'> &
  Partial<Pick<StreamSummary, 'linkCapacityMbps' | 'srt10s'>>;

const num = (v: number | null | undefined): number | null => (typeof v === 'number' ? v : null);

/**
 * Streams' history (node + name) in tiers under mediamtx:history:<tier>:stream:*. One writer can
 * serve every node of a collector.
 */
export class StreamHistoryWriter {
  private readonly writer: TieredWriter;

  constructor(redis: Redis, tiers: readonly HistoryTier[]) {
    this.writer = new TieredWriter(redis, tiers, keys.historyTiers('stream'));
  }

  /** What the last write of finished buckets did. */
  get lastWrite(): HistoryWriteResult {
    return this.writer.lastWrite;
  }

  /**
   * Adds a sample of every stream at nowMs; call it every cycle. When nowMs has passed the finest
   * bucket, the finished bucket of every stream (also of streams that went away) is written
   * first, in one pipeline, and the promise settles after it.
   */
  append(streams: readonly HistorySource[], nowMs: number = Date.now()): Promise<void> {
    const bucket = this.writer.bucketOf(nowMs);
    const due = this.writer.takeDue(bucket);
    const labels = this.writer.labels;
    const values: (number | null)[] = new Array<number | null>(STREAM_HISTORY_METRICS.length);
    for (const s of streams) {
      const srt = s.srt10s ?? null;
      values[0] = num(s.readers);
      values[1] = num(s.recvRateMbps);
      values[2] = num(s.sendRateMbps);
      values[3] = num(s.rtt);
      values[4] = num(s.linkCapacityMbps);
      values[5] = num(srt?.loss);
      values[6] = num(srt?.retrans);
      values[7] = num(srt?.drop);
      const target = this.writer.bucketFor(`${s.node}\u0000${s.name}`, bucket, () => labels.map((l) => keys.streamHistory(l, s.node, s.name)));
      target.add(STREAM_HISTORY_METRICS, values, s.online === true, s.health?.level ?? 'ok');
    }
    return this.writer.write(due);
  }
}

/** A name the stored format can carry as a metric: no comma (the script's separator), not n, o or h, not starting with < or >. */
function isMetricName(name: string): boolean {
  return /^[^,<>][^,]*$/.test(name) && name !== 'n' && name !== 'o' && name !== 'h';
}

/** The host's figures at one time: metric name -> value; `disk_percent:<path>` for each disk. */
export type HostHistorySample = Record<string, number | null>;

/** The host's history in tiers under mediamtx:history:<tier>:host (sysmon). */
export class HostHistoryWriter {
  private readonly writer: TieredWriter;

  constructor(redis: Redis, tiers: readonly HistoryTier[]) {
    this.writer = new TieredWriter(redis, tiers, keys.historyTiers('host'));
  }

  /** What the last write of finished buckets did. */
  get lastWrite(): HistoryWriteResult {
    return this.writer.lastWrite;
  }

  /** Adds the host's sample at nowMs; writes the finished bucket first when nowMs has passed it. */
  append(sample: HostHistorySample, nowMs: number = Date.now()): Promise<void> {
    const bucket = this.writer.bucketOf(nowMs);
    const due = this.writer.takeDue(bucket);
    const names = Object.keys(sample).filter(isMetricName);
    const target = this.writer.bucketFor('host', bucket, () => this.writer.labels.map((l) => keys.hostHistory(l)));
    target.add(
      names,
      names.map((name) => num(sample[name])),
    );
    return this.writer.write(due);
  }
}
