/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A Prometheus text exposition read back: each family's type (from # TYPE) and every sample. */
export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const UNESCAPE: Record<string, string> = { '\\\\': '\\', '\\"': '"', '\\n': '\n' };

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      types.set(name, type);
    } else if (line && !line.startsWith('#')) {
      const brace = line.indexOf('{');
      const end = brace < 0 ? line.indexOf(' ') : line.lastIndexOf('}') + 1;
      const labels: Record<string, string> = {};
      if (brace >= 0) {
        for (const [, key, raw] of line.slice(brace + 1, end - 1).matchAll(LABEL)) labels[key] = raw.replace(/\\[\\"n]/g, (e) => UNESCAPE[e]);
      }
      samples.push({ name: line.slice(0, brace < 0 ? end : brace), labels, value: Number(line.slice(end + 1).split(' ')[0]) });
    }
  }
  return { types, samples };
}

/** The names a query can select: each family's, and a histogram's _bucket, _sum and _count. */
export function seriesNames(exposition: Exposition): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of exposition.types) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}

/** The value of the one sample with this name and exactly these labels (undefined when there is none). */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return exposition.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}
