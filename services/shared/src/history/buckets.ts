import type { HealthLevel } from '../model';

/**
 * History buckets, without I/O. A bucket's figures are stored as whole numbers in thousandths
 * (Redis keeps a field that reads as an integer in a few bytes, a decimal string in many), under
 * these field names: `n` the samples merged, `o` the online fraction (‰), `h` the worst health
 * (0 ok, 1 warn, 2 crit), and for every metric m its average `m`, minimum `<m` and maximum `>m`;
 * '' when the bucket has no value. A metric named `a:b` is served as point.a.b (the host's disks).
 * Merging buckets follows one rule per field, the same in the write script's rollup (writer.ts):
 * `n` adds up, `h` and `>m` take the largest, `<m` the smallest, every other field is the
 * average weighted by `n`. So a spike of one sample survives every rollup as a maximum.
 */
export const SCALE = 1000;

const LEVELS: HealthLevel[] = ['ok', 'warn', 'crit'];
const LEVEL_RANK: Record<HealthLevel, number> = { ok: 0, warn: 1, crit: 2 };

/** The samples of one series that fall into one bucket (the finest tier's), merged as they come. */
export class Bucket {
  n = 0;
  /** Whether samples carry online and health (streams do, the host does not). */
  private withState = false;
  private onlineCount = 0;
  private health = 0;
  private readonly names: string[] = [];
  private readonly sum: number[] = [];
  private readonly count: number[] = [];
  private readonly min: number[] = [];
  private readonly max: number[] = [];
  /** The index of each name of the last names array seen (streams always pass the same array). */
  private lastNames: readonly string[] | null = null;
  private lastIndex: number[] = [];

  constructor(readonly t: number) {}

  /** Adds one sample: metric values in the order of names (null: none); online and health for streams. */
  add(names: readonly string[], values: readonly (number | null)[], online?: boolean, health?: HealthLevel): void {
    this.n += 1;
    if (online !== undefined) {
      this.withState = true;
      if (online) this.onlineCount += 1;
      this.health = Math.max(this.health, LEVEL_RANK[health ?? 'ok'] ?? 2);
    }
    const index = this.indexOf(names);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || !Number.isFinite(v)) continue;
      const k = index[i];
      if (this.count[k] === 0) {
        this.min[k] = v;
        this.max[k] = v;
      } else {
        if (v < this.min[k]) this.min[k] = v;
        if (v > this.max[k]) this.max[k] = v;
      }
      this.sum[k] += v;
      this.count[k] += 1;
    }
  }

  /** The stored field names, in the order values() answers them. */
  fields(): string[] {
    const out = ['n'];
    if (this.withState) out.push('o', 'h');
    for (const m of this.names) out.push(m, `<${m}`, `>${m}`);
    return out;
  }

  /** The stored values of fields(), joined by commas (the write script's format). */
  values(): string {
    const out: (string | number)[] = [this.n];
    if (this.withState) out.push(Math.round((this.onlineCount / this.n) * SCALE), this.health);
    for (let k = 0; k < this.names.length; k++) {
      if (this.count[k] === 0) out.push('', '', '');
      else out.push(Math.round((this.sum[k] / this.count[k]) * SCALE), Math.round(this.min[k] * SCALE), Math.round(this.max[k] * SCALE));
    }
    return out.join(',');
  }

  private indexOf(names: readonly string[]): number[] {
    if (names === this.lastNames) return this.lastIndex;
    this.lastIndex = names.map((name) => {
      const k = this.names.indexOf(name);
      if (k >= 0) return k;
      this.names.push(name);
      this.sum.push(0);
      this.count.push(0);
      this.min.push(0);
      this.max.push(0);
      return this.names.length - 1;
    });
    this.lastNames = names;
    return this.lastIndex;
  }
}

/** One stored bucket: its start and its fields (null: no value). */
export interface Row {
  t: number;
  f: Map<string, number | null>;
}

/** A Redis Stream entry ([id, [field, value, …]]) as a row. */
export function toRow(id: string, flat: string[]): Row {
  const f = new Map<string, number | null>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i], flat[i + 1] === '' ? null : Number(flat[i + 1]));
  return { t: Number(id.slice(0, id.indexOf('-'))), f };
}

/** Merges rows into one bucket starting at t (see the rules above). */
export function mergeRows(t: number, rows: readonly Row[]): Row {
  if (rows.length === 1) return { t, f: rows[0].f };
  const value = new Map<string, number | null>();
  const weight = new Map<string, number>();
  for (const row of rows) {
    const w = row.f.get('n') ?? 1;
    for (const [name, x] of row.f) {
      if (!value.has(name)) {
        value.set(name, null);
        weight.set(name, 0);
      }
      if (x === null) continue;
      const v = value.get(name)!;
      if (name === 'n') value.set(name, (v ?? 0) + x);
      else if (name === 'h' || name.startsWith('>')) value.set(name, v === null ? x : Math.max(v, x));
      else if (name.startsWith('<')) value.set(name, v === null ? x : Math.min(v, x));
      else {
        value.set(name, (v ?? 0) + x * w);
        weight.set(name, weight.get(name)! + w);
      }
    }
  }
  for (const [name, w] of weight) if (w > 0) value.set(name, Math.round(value.get(name)! / w));
  return { t, f: value };
}

/**
 * The bucket size that answers [from, to] in at most maxPoints points: the tier's resolution
 * times the smallest whole factor that fits (buckets stay aligned to multiples of it).
 */
export function outputResolution(resolutionMs: number, fromMs: number, toMs: number, maxPoints: number): number {
  const first = fromMs - (fromMs % resolutionMs);
  const groups = (size: number) => Math.floor(toMs / size) - Math.floor(first / size) + 1;
  let k = Math.max(1, Math.ceil((toMs - first) / resolutionMs / maxPoints));
  while (groups(resolutionMs * k) > maxPoints) k += 1;
  return resolutionMs * k;
}

/** Rows (oldest first) merged into buckets of sizeMs. */
export function mergeInto(rows: readonly Row[], sizeMs: number): Row[] {
  const out: Row[] = [];
  let group: Row[] = [];
  let groupT = NaN;
  for (const row of rows) {
    const t = row.t - (row.t % sizeMs);
    if (t !== groupT && group.length > 0) {
      out.push(mergeRows(groupT, group));
      group = [];
    }
    groupT = t;
    group.push(row);
  }
  if (group.length > 0) out.push(mergeRows(groupT, group));
  return out;
}

type Metrics = Record<string, number | null | Record<string, number | null>>;

function put(target: Metrics, name: string, value: number | null): void {
  const colon = name.indexOf(':');
  if (colon < 0) {
    target[name] = value;
    return;
  }
  const group = name.slice(0, colon);
  const inner = (target[group] ??= {}) as Record<string, number | null>;
  inner[name.slice(colon + 1)] = value;
}

/** A row as the API serves it: { t, online?, health?, …metrics, min: {…}, max: {…} }, figures in their units. */
export function toPoint(row: Row): Record<string, unknown> {
  const point: Record<string, unknown> = { t: row.t };
  const min: Metrics = {};
  const max: Metrics = {};
  const unscale = (v: number | null | undefined) => (v === null || v === undefined ? null : v / SCALE);
  for (const [name, v] of row.f) {
    if (name === 'n' || name.startsWith('<') || name.startsWith('>')) continue;
    if (name === 'o') point.online = unscale(v) ?? 0;
    else if (name === 'h') point.health = LEVELS[v ?? 0] ?? 'crit';
    else {
      put(point as Metrics, name, unscale(v));
      put(min, name, unscale(row.f.get(`<${name}`)));
      put(max, name, unscale(row.f.get(`>${name}`)));
    }
  }
  point.min = min;
  point.max = max;
  return point;
}
