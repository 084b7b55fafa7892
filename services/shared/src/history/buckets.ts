import type { HealthLevel } from '../model';

/**
 * History buckets, without I/O. A bucket is stored as one Redis Stream field: its name is the
 * layout, its value the figures. The layout lists the names, comma-separated: `n` (samples
 * merged), for streams `o` (online fraction, ‰) and `h` (worst health: 0 ok, 1 warn, 2 crit), then
 * each metric. The value is a JSON array in that order: n, o, h, then for each metric its average,
 * or [average, min, max] when they differ, or null when the bucket has none; figures are whole
 * numbers in thousandths. Redis keeps a field name once per node of entries that share it, so the
 * layout costs nothing per entry, and JSON is parsed in C on both sides (cjson in the write
 * script's rollups, JSON.parse here) instead of dozens of strings per entry.
 * A metric named `a:b` is served as point.a.b (the host's disks).
 * Merging buckets follows one rule per field, the same in the write script's rollup (writer.ts):
 * `n` adds up, `h` takes the worst, `o` and the averages are weighted by n, minima take the
 * smallest and maxima the largest. So a spike of one sample survives every rollup as a maximum.
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

  /** The stored layout: the names of values(), comma-separated. */
  layout(): string {
    const head = this.withState ? 'n,o,h' : 'n';
    return this.names.length === 0 ? head : `${head},${this.names.join(',')}`;
  }

  /** The stored figures (a JSON array), in the order of layout(). */
  values(): string {
    let out = this.withState ? `[${this.n},${Math.round((this.onlineCount / this.n) * SCALE)},${this.health}` : `[${this.n}`;
    for (let k = 0; k < this.names.length; k++) {
      if (this.count[k] === 0) {
        out += ',null';
        continue;
      }
      const avg = Math.round((this.sum[k] / this.count[k]) * SCALE);
      const min = Math.round(this.min[k] * SCALE);
      const max = Math.round(this.max[k] * SCALE);
      out += min === max ? `,${avg}` : `,[${avg},${min},${max}]`;
    }
    return `${out}]`;
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

/** A stored figure: a number, [average, min, max] for a metric whose extremes differ, or null (none). */
type Cell = number | [number, number, number] | null;

/** One stored bucket: its start, its layout's names and a cell per name. */
export interface Row {
  t: number;
  names: readonly string[];
  cells: readonly Cell[];
}

/** Layout strings to their names, shared by the rows of a read (a tier holds one or two layouts). */
export type Layouts = Map<string, readonly string[]>;

/**
 * Redis Stream entries ([id, [layout, cells]], oldest first) as rows. The cells of all entries are
 * parsed as one JSON text (a call per entry costs more than the parsing); when that fails, entry by
 * entry, an unreadable one reading as a bucket without figures.
 */
export function toRows(entries: readonly [string, string[]][], layouts: Layouts): Row[] {
  let cells: unknown[];
  try {
    cells = JSON.parse(`[${entries.map(([, flat]) => flat[1] ?? 'null').join(',')}]`) as unknown[];
  } catch {
    cells = entries.map(([, flat]) => {
      try {
        return JSON.parse(flat[1] ?? 'null') as unknown;
      } catch {
        return null;
      }
    });
  }
  return entries.map(([id, flat], i) => {
    const layout = flat[0] ?? '';
    let names = layouts.get(layout);
    if (names === undefined) {
      names = layout.split(',');
      layouts.set(layout, names);
    }
    const c = cells[i];
    return { t: parseInt(id, 10), names, cells: Array.isArray(c) ? (c as Cell[]) : [] };
  });
}

/** How a field merges: n adds up, h takes the worst, o is averaged, a metric is averaged with its extremes. */
const enum Rule {
  Sum,
  Max,
  Avg,
  Metric,
}
const ruleOf = (name: string): Rule => (name === 'n' ? Rule.Sum : name === 'h' ? Rule.Max : name === 'o' ? Rule.Avg : Rule.Metric);

/** Merges rows (oldest first) into one bucket starting at t (see the rules above). */
export function mergeRows(t: number, rows: readonly Row[]): Row {
  if (rows.length === 1) return { t, names: rows[0].names, cells: rows[0].cells };
  let names = rows[0].names;
  const same = rows.every((r) => r.names === names);
  if (!same) names = [...new Set(rows.flatMap((r) => r.names))];
  const k = names.length;
  const value: (number | null)[] = new Array<number | null>(k).fill(null);
  const weight = new Array<number>(k).fill(0);
  const lo = new Array<number>(k).fill(Infinity);
  const hi = new Array<number>(k).fill(-Infinity);
  const rules = names.map(ruleOf);
  for (const row of rows) {
    const n = row.cells[0];
    const w = typeof n === 'number' ? n : 1;
    const index = same ? null : row.names.map((name) => names.indexOf(name));
    for (let i = 0; i < row.names.length; i++) {
      const cell = row.cells[i];
      if (cell === null || cell === undefined) continue;
      const j = index === null ? i : index[i];
      const single = typeof cell === 'number';
      const avg = single ? cell : cell[0];
      const v = value[j];
      switch (rules[j]) {
        case Rule.Sum:
          value[j] = (v ?? 0) + avg;
          break;
        case Rule.Max:
          value[j] = v === null ? avg : Math.max(v, avg);
          break;
        default:
          value[j] = (v ?? 0) + avg * w;
          weight[j] += w;
          lo[j] = Math.min(lo[j], single ? cell : cell[1]);
          hi[j] = Math.max(hi[j], single ? cell : cell[2]);
      }
    }
  }
  const cells: Cell[] = value.map((v, j) => {
    if (v === null || weight[j] === 0) return v;
    const avg = Math.round(v / weight[j]);
    return rules[j] === Rule.Metric && lo[j] !== hi[j] ? [avg, lo[j], hi[j]] : avg;
  });
  return { t, names, cells };
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
  row.names.forEach((name, i) => {
    const cell = row.cells[i] ?? null;
    const [avg, lo, hi] = cell === null ? [null, null, null] : typeof cell === 'number' ? [cell, cell, cell] : cell;
    if (name === 'n') return;
    if (name === 'o') point.online = (avg ?? 0) / SCALE;
    else if (name === 'h') point.health = LEVELS[avg ?? 0] ?? 'crit';
    else {
      put(point as Metrics, name, avg === null ? null : avg / SCALE);
      put(min, name, lo === null ? null : lo / SCALE);
      put(max, name, hi === null ? null : hi / SCALE);
    }
  });
  point.min = min;
  point.max = max;
  return point;
}
