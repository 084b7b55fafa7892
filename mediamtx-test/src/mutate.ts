/**
 * Seeded wrong answers: well-formed JSON holding wrong values, as proxies, version changes and
 * wrapping counters produce them (issue #13). Off by default; the normal answers stay valid
 * against MediaMTX's OpenAPI file.
 */

export interface MutationOptions {
  /** The same seed and the same requests give the same answers. */
  seed: number;
  /** Share of answers (0..1) that get one to three mutations; default 0.5. */
  rate?: number;
}

/** What a mutation does; `applied` counts each kind. */
export const MUTATION_KINDS = [
  // anywhere in the answer
  'wrongType',
  'deleteField',
  'absurdNumber',
  'longString',
  'invalidString',
  // in a list answer
  'absurdPageCount',
  'absurdItemCount',
  'itemsNull',
  'duplicateItem',
  'danglingId',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

const FIELD_KINDS: readonly MutationKind[] = ['wrongType', 'deleteField', 'absurdNumber', 'longString', 'invalidString'];
const LIST_KINDS: readonly MutationKind[] = ['absurdPageCount', 'absurdItemCount', 'itemsNull', 'duplicateItem', 'danglingId'];
const ABSURD_NUMBERS = [2 ** 64, 1e308, -1, -5, 2147483648, 0.5, -1e308];
const ABSURD_COUNTS = [2147483648, 2 ** 53, 1e308, -1, 0, 0.5];

type Slot = [parent: Record<string, unknown> | unknown[], key: string | number];

/** Mulberry32: a small, well-known seeded PRNG (uniform in [0, 1)). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Mutator {
  readonly applied: Record<MutationKind, number> = Object.fromEntries(MUTATION_KINDS.map((k) => [k, 0])) as Record<MutationKind, number>;
  /** Answers given so far per request key. */
  private readonly asked = new Map<string, number>();
  private random: () => number = Math.random;

  constructor(private readonly opts: MutationOptions) {}

  /**
   * The answer to send: `body` itself, or (for a share of answers) a mutated deep copy. The
   * random numbers come from the seed, the request key (path and query) and how often that key
   * was asked before, so concurrent requests arriving in another order get the same answers.
   */
  mutate(body: unknown, key: string): unknown {
    const n = this.asked.get(key) ?? 0;
    this.asked.set(key, n + 1);
    this.random = mulberry32(hash(`${this.opts.seed}\u0000${key}\u0000${n}`));
    if (typeof body !== 'object' || body === null || this.random() >= (this.opts.rate ?? 0.5)) return body;
    const copy = structuredClone(body) as Record<string, unknown>;
    const times = 1 + this.int(3);
    for (let i = 0; i < times; i++) {
      const isList = Array.isArray(copy.items);
      const kind = isList && this.random() < 0.35 ? this.pick(LIST_KINDS) : this.pick(FIELD_KINDS);
      if (LIST_KINDS.includes(kind) ? this.mutateList(copy, kind) : this.mutateField(copy, kind)) this.applied[kind]++;
    }
    return copy;
  }

  private mutateList(list: Record<string, unknown>, kind: MutationKind): boolean {
    const items = Array.isArray(list.items) ? (list.items as unknown[]) : [];
    switch (kind) {
      case 'absurdPageCount':
        list.pageCount = this.pick(ABSURD_COUNTS);
        return true;
      case 'absurdItemCount':
        list.itemCount = this.pick(ABSURD_COUNTS);
        return true;
      case 'itemsNull':
        list.items = null;
        return true;
      case 'duplicateItem':
        if (items.length === 0) return false;
        items.splice(this.int(items.length + 1), 0, structuredClone(this.pick(items)));
        return true;
      default:
        return this.dangle(items);
    }
  }

  /** A reference (a path's source or reader) or a connection's own id is replaced by an id nobody has. */
  private dangle(items: unknown[]): boolean {
    const item = items.length > 0 ? this.pick(items) : null;
    if (!isRecord(item)) return false;
    const refs = [item.source, ...(Array.isArray(item.readers) ? item.readers : [])].filter(isRecord);
    const target = refs.length > 0 ? this.pick(refs) : item;
    if (!('id' in target)) return false;
    target.id = this.uuid();
    return true;
  }

  private mutateField(root: Record<string, unknown>, kind: MutationKind): boolean {
    const slots: Slot[] = [];
    collect(root, slots);
    if (slots.length === 0) return false;
    const [parent, key] = this.pick(slots);
    const value = (parent as Record<string | number, unknown>)[key];
    const set = (v: unknown) => ((parent as Record<string | number, unknown>)[key] = v);
    switch (kind) {
      case 'deleteField':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        return true;
      case 'absurdNumber':
        if (typeof value !== 'number') return this.mutateField(root, 'wrongType');
        set(this.pick(ABSURD_NUMBERS));
        return true;
      case 'longString':
        if (typeof value !== 'string') return false;
        set(value + 'x'.repeat(20_000 + this.int(20_000)));
        return true;
      case 'invalidString': {
        if (typeof value !== 'string') return false;
        const at = this.int(value.length + 1);
        set(value.slice(0, at) + this.pick(['\ud800', '\udfff', '\udbff']) + value.slice(at));
        return true;
      }
      default:
        set(wrongTypeOf(value, this.random()));
        return true;
    }
  }

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)];
  }
}

/** FNV-1a of a string, as a 32-bit seed. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Every property and element below the answer's top level (the answer itself stays an object). */
function collect(value: unknown, out: Slot[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([value, i]);
      collect(v, out);
    });
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      out.push([value, k]);
      collect(v, out);
    }
  }
}

/** A value of another JSON type than `value`. */
function wrongTypeOf(value: unknown, r: number): unknown {
  if (typeof value === 'number') return r < 0.5 ? String(value) : { value };
  if (typeof value === 'string') return r < 0.5 ? 42 : [value];
  if (typeof value === 'boolean') return r < 0.5 ? String(value) : 1;
  if (Array.isArray(value)) return r < 0.5 ? value.length : { length: value.length };
  if (isRecord(value)) return r < 0.5 ? [value] : 'object';
  return r < 0.5 ? 'null' : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
