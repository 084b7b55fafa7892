/**
 * Range charts: a row of range buttons (15 min … 30 d) over one or more uPlot charts that share
 * one time axis, filled from a history endpoint (/api/history, /api/history/system) and extended
 * by live samples. Each metric is drawn as its bucket average with a min–max band (a spike
 * survives every rollup as a maximum); a jump of the time axis by more than the answer's
 * resolution is drawn as a gap; buckets in which a stream was not online the whole time are
 * shaded. On short ranges every live sample is a point of its own; on long ones it is merged into
 * the current bucket, so the number of points stays near what the server sent. Everything lives as
 * long as the charts: nothing is kept for closed streams or a closed host panel.
 * uPlot is loaded on first use, so a missing vendor file only costs the charts. Colours come from
 * the page's CSS variables and follow a change of the system's light/dark setting.
 * Test hook: each chart's element carries its uPlot instance as `uplot` (data: [t, then avg, min,
 * max per metric]); the group's element has data-range, data-resolution-ms and data-shaded.
 */
import { h, setHidden, setText } from './dom.js';
import { duration } from './format.js';

export const RANGES = [
  { id: '15m', label: '15 min', ms: 15 * 60_000, live: 'points' },
  { id: '1h', label: '1 h', ms: 60 * 60_000, live: 'points' },
  { id: '24h', label: '24 h', ms: 24 * 3_600_000, live: 'buckets' },
  { id: '7d', label: '7 d', ms: 7 * 24 * 3_600_000, live: 'buckets' },
  { id: '30d', label: '30 d', ms: 30 * 24 * 3_600_000, live: 'buckets' },
];

const HEIGHT = 150;
/** The server's default and limit of points per answer; fewer when the chart is narrower. */
const MAX_POINTS = 500;
/** Live points on a short range beyond this many are dropped from the front (a sample a second for an hour fits). */
const MAX_LIVE_POINTS = 4000;
/** Live samples that arrive while history is being fetched are held back (at most this many) and added after it. */
const MAX_PENDING = 120;
/** The range last chosen per kind of chart group ('stream', 'host'): the next stream opens with it. */
const lastRange = new Map();

let uPlotPromise = null;
function loadUPlot() {
  uPlotPromise ??= import('../vendor/uPlot.esm.js').then((m) => m.default);
  return uPlotPromise;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Pure: a figure with its bucket's min and max when they differ ("1.94 (1.20–3.10)"). */
export function withSpread(avg, min, max, digits) {
  if (avg == null) return '–';
  const text = avg.toFixed(digits);
  return min != null && max != null && min !== max ? `${text} (${min.toFixed(digits)}–${max.toFixed(digits)})` : text;
}

/**
 * Pure: the chart rows of a history answer, oldest first, with a gap row (every value null)
 * wherever t jumps by more than resolutionMs. `keys`: the metrics.
 * Answers { t: [seconds], online: [fraction|null], cols: { key: { avg, min, max } } }.
 */
export function historyRows(points, resolutionMs, keys) {
  const rows = emptyRows(keys);
  for (const p of points) {
    if (!p || !Number.isFinite(p.t)) continue;
    const last = rows.t.length ? rows.t[rows.t.length - 1] * 1000 : null;
    if (last !== null && p.t <= last) continue;
    if (last !== null && p.t - last > resolutionMs) pushGap(rows, keys, (last + resolutionMs) / 1000);
    rows.t.push(p.t / 1000);
    rows.online.push(typeof p.online === 'number' ? p.online : null);
    for (const k of keys) {
      const avg = numOrNull(p[k]);
      rows.cols[k].avg.push(avg);
      rows.cols[k].min.push(numOrNull(p.min?.[k]) ?? avg);
      rows.cols[k].max.push(numOrNull(p.max?.[k]) ?? avg);
    }
  }
  return rows;
}

function numOrNull(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function emptyRows(keys) {
  return { t: [], online: [], cols: Object.fromEntries(keys.map((k) => [k, { avg: [], min: [], max: [] }])) };
}

function pushGap(rows, keys, tSeconds) {
  rows.t.push(tSeconds);
  rows.online.push(null);
  for (const k of keys) for (const a of Object.values(rows.cols[k])) a.push(null);
}

/**
 * A group of charts with range buttons. `kind` names the group ('stream', 'host'; the range is
 * remembered per kind). `historyUrl(fromMs, toMs, maxPoints)` builds the request. `charts`:
 * [{ title, metrics: [{ key, label, color (a CSS variable) }], digits, yMax? }]. `shadeOffline`:
 * shade buckets whose `online` is below 1. Answers { el, add(atMs, values, online?), destroy() }.
 */
export function createRangeCharts({ kind, historyUrl, charts, shadeOffline = false }) {
  const keys = charts.flatMap((c) => c.metrics.map((m) => m.key));
  const buttons = RANGES.map((r) =>
    h('button', { className: 'range', attrs: { type: 'button', 'aria-pressed': 'false' }, dataset: { range: r.id }, on: { click: () => select(r) } }, r.label),
  );
  const status = h('span', { className: 'range-status muted' });
  const legend = shadeOffline ? h('span', { className: 'range-key muted' }, h('span', { className: 'offline-swatch', attrs: { 'aria-hidden': 'true' } }), 'not online') : null;
  const bar = h('div', { className: 'range-bar' }, h('div', { className: 'ranges', attrs: { role: 'group', 'aria-label': 'Chart range' } }, ...buttons), status, legend);
  const boxes = charts.map((c) => h('div', { className: 'chart', dataset: { metric: c.metrics[0].key } }));
  const note = h('p', { className: 'muted chart-note', hidden: true });
  const el = h('div', { className: 'charts' }, bar, ...boxes, note);
  const scheme = matchMedia('(prefers-color-scheme: dark)');

  let range = RANGES.find((r) => r.id === lastRange.get(kind)) ?? RANGES[0];
  let rows = emptyRows(keys);
  let resolutionMs = 10_000;
  /** The end of the time axis (ms): the request's `to`, moved on by live samples. */
  let endMs = Date.now();
  /** The current bucket's samples on a long range: { n: { key: count }, on: count } (merged into the last row). */
  let acc = null;
  /** The newest live sample's time: a sample seen twice (polling) is added once. */
  let lastAt = -Infinity;
  /** Live samples held back while history is loaded (null when none is being loaded). */
  let pending = [];
  let controller = null;
  let plots = [];
  let UPlot = null;
  let destroyed = false;
  let shaded = -1;

  const widthOf = (box) => Math.max(200, Math.floor(box.clientWidth || 320));
  const observer = new ResizeObserver(() => plots.forEach((p, i) => p.setSize({ width: widthOf(boxes[i]), height: HEIGHT })));

  /** uPlot's data of chart i: [t, then avg, min, max of each of its metrics]. */
  const dataOf = (i) => [rows.t, ...charts[i].metrics.flatMap((m) => [rows.cols[m.key].avg, rows.cols[m.key].min, rows.cols[m.key].max])];

  /** Shades the buckets in which the stream was not online the whole time, behind the series. */
  function shade(u) {
    const { t, online } = rows;
    const [x0, x1] = [u.scales.x.min, u.scales.x.max];
    const { top, height } = u.bbox;
    u.ctx.save();
    u.ctx.fillStyle = cssVar('--crit');
    for (let i = 0; i < t.length; i++) {
      const on = online[i];
      if (on == null || on >= 1) continue;
      const end = Math.min(i + 1 < t.length ? t[i + 1] : t[i] + resolutionMs / 1000, x1);
      if (end <= x0 || t[i] >= x1) continue;
      const left = u.valToPos(Math.max(t[i], x0), 'x', true);
      const right = u.valToPos(end, 'x', true);
      u.ctx.globalAlpha = 0.1 + 0.2 * (1 - on);
      u.ctx.fillRect(left, top, Math.max(1, right - left), height);
    }
    u.ctx.restore();
  }

  function options(c, width) {
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') }, font: '11px system-ui, sans-serif' };
    const series = [{}];
    const bands = [];
    for (const m of c.metrics) {
      const color = cssVar(m.color);
      const avgIdx = series.length;
      series.push(
        {
          label: m.label,
          stroke: color,
          width: 1.5,
          points: { show: false },
          value: (u, v, _s, idx) => (idx == null ? '–' : withSpread(v, u.data[avgIdx + 1][idx], u.data[avgIdx + 2][idx], c.digits)),
        },
        { label: `${m.label} min`, class: 'band-edge', stroke: 'transparent', width: 0, points: { show: false } },
        // The max edge is drawn faintly: a spike one bucket wide is a band of a pixel or two on a long range.
        { label: `${m.label} max`, class: 'band-edge', stroke: `${color}99`, width: 1, points: { show: false } },
      );
      bands.push({ series: [avgIdx + 2, avgIdx + 1], fill: `${color}33` });
    }
    return {
      title: c.title,
      width,
      height: HEIGHT,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => [(endMs - range.ms) / 1000, endMs / 1000] },
        y: { range: (_u, _min, max) => [0, c.yMax ?? (max > 0 ? max * 1.15 : 1)] },
      },
      axes: [{ ...axis }, { ...axis, size: 48 }],
      series,
      bands,
      hooks: shadeOffline ? { drawClear: [shade] } : {},
    };
  }

  function draw() {
    if (destroyed || !UPlot) return;
    plots.forEach((p) => p.destroy());
    plots = charts.map((c, i) => {
      const plot = new UPlot(options(c, widthOf(boxes[i])), dataOf(i), boxes[i]);
      boxes[i].uplot = plot;
      return plot;
    });
  }

  function redraw() {
    plots.forEach((p, i) => p.setData(dataOf(i)));
    if (shadeOffline) {
      const count = rows.online.reduce((n, on) => (on != null && on < 1 ? n + 1 : n), 0);
      if (count !== shaded) el.dataset.shaded = String((shaded = count));
    }
  }

  function select(next) {
    if (destroyed) return;
    range = next;
    lastRange.set(kind, next.id);
    buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.range === next.id)));
    el.dataset.range = next.id;
    void load();
  }

  async function load() {
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    pending = [];
    setText(status, 'loading…');
    const toMs = Date.now();
    const maxPoints = Math.min(MAX_POINTS, widthOf(boxes[0]));
    let body = null;
    try {
      const res = await fetch(historyUrl(toMs - range.ms, toMs, maxPoints), { signal, cache: 'no-store' });
      body = res.ok ? await res.json() : null;
    } catch {
      if (signal.aborted || destroyed) return;
    }
    if (signal.aborted || destroyed) return;
    const points = Array.isArray(body?.points) ? body.points : [];
    resolutionMs = Number.isInteger(body?.resolutionMs) && body.resolutionMs > 0 ? body.resolutionMs : 10_000;
    rows = historyRows(points, resolutionMs, keys);
    acc = null;
    endMs = toMs;
    el.dataset.resolutionMs = String(resolutionMs);
    setText(status, body === null ? 'history unavailable' : points.length === 0 ? 'no history yet' : `${duration(resolutionMs)} buckets`);
    const held = pending;
    pending = null;
    for (const [atMs, values, online] of held) append(atMs, values, online);
    redraw();
  }

  /** Drops what fell out of the window (and, live on a short range, beyond MAX_LIVE_POINTS). */
  function trim() {
    const start = (endMs - range.ms) / 1000;
    let drop = 0;
    while (drop < rows.t.length - 1 && (rows.t[drop + 1] <= start || rows.t.length - drop > MAX_LIVE_POINTS)) drop += 1;
    if (drop === 0) return;
    rows.t.splice(0, drop);
    rows.online.splice(0, drop);
    for (const k of keys) for (const a of Object.values(rows.cols[k])) a.splice(0, drop);
  }

  function pushRow(tSeconds, values, online) {
    rows.t.push(tSeconds);
    rows.online.push(online === undefined ? null : online ? 1 : 0);
    for (const k of keys) {
      const v = numOrNull(values[k]);
      rows.cols[k].avg.push(v);
      rows.cols[k].min.push(v);
      rows.cols[k].max.push(v);
    }
  }

  /** Merges a sample into the last row (the current bucket); the server's value counts as one sample. */
  function mergeLast(values, online) {
    const i = rows.t.length - 1;
    if (online !== undefined && rows.online[i] != null) rows.online[i] = (rows.online[i] * acc.on + (online ? 1 : 0)) / (acc.on + 1);
    acc.on += 1;
    for (const k of keys) {
      const v = numOrNull(values[k]);
      if (v === null) continue;
      const col = rows.cols[k];
      const n = col.avg[i] == null ? 0 : (acc.n[k] ?? 1);
      col.avg[i] = n === 0 ? v : (col.avg[i] * n + v) / (n + 1);
      col.min[i] = col.min[i] == null ? v : Math.min(col.min[i], v);
      col.max[i] = col.max[i] == null ? v : Math.max(col.max[i], v);
      acc.n[k] = n + 1;
    }
  }

  function append(atMs, values, online) {
    const last = rows.t.length ? rows.t[rows.t.length - 1] * 1000 : null;
    if (range.live === 'points') {
      if (last !== null && atMs <= last) return;
      // Live samples come every cycle (seconds), a bucket's start lies up to one bucket before its
      // end: more than two buckets without a sample is a gap.
      if (last !== null && atMs - last > 2 * resolutionMs) pushGap(rows, keys, (last + resolutionMs) / 1000);
      pushRow(atMs / 1000, values, online);
    } else {
      const bucket = atMs - (atMs % resolutionMs);
      if (last !== null && bucket < last) return;
      if (last === null || bucket > last) {
        if (last !== null && bucket - last > resolutionMs) pushGap(rows, keys, (last + resolutionMs) / 1000);
        pushRow(bucket / 1000, values, online);
        acc = { n: Object.fromEntries(keys.map((k) => [k, 1])), on: 1 };
      } else {
        acc ??= { n: {}, on: 1 };
        mergeLast(values, online);
      }
    }
    endMs = Math.max(endMs, atMs);
    trim();
  }

  scheme.addEventListener('change', draw);
  loadUPlot().then(
    (loaded) => {
      UPlot = loaded;
      draw();
      observer.observe(el);
    },
    () => {
      setText(note, 'Charts unavailable (uPlot not found under vendor/).');
      setHidden(note, false);
    },
  );
  // Once the caller has put `el` into the page: maxPoints follows the chart's width.
  queueMicrotask(() => select(range));

  return {
    el,
    /** A live sample at atMs (the data's own time, never the browser's clock); `online` only for streams. */
    add(atMs, values, online) {
      if (destroyed || !Number.isFinite(atMs) || atMs <= lastAt) return;
      lastAt = atMs;
      if (pending) {
        if (pending.length < MAX_PENDING) pending.push([atMs, values, online]);
        return;
      }
      append(atMs, values, online);
      redraw();
    },
    destroy() {
      destroyed = true;
      controller?.abort();
      scheme.removeEventListener('change', draw);
      observer.disconnect();
      plots.forEach((p) => p.destroy());
      plots = [];
    },
  };
}

/** The opened stream's charts (receive rate, SRT RTT): /api/history, then its live summaries. */
export function createStreamCharts(stream) {
  const group = createRangeCharts({
    kind: 'stream',
    shadeOffline: true,
    historyUrl: (from, to, maxPoints) =>
      `api/history?${new URLSearchParams({ node: stream.node, name: stream.name, from: String(from), to: String(to), maxPoints: String(maxPoints) })}`,
    charts: [
      { title: 'Receive rate', metrics: [{ key: 'recvRateMbps', label: 'Mbit/s', color: '--accent' }], digits: 2 },
      { title: 'SRT round-trip time', metrics: [{ key: 'rtt', label: 'ms', color: '--warn' }], digits: 2 },
    ],
  });
  return {
    el: group.el,
    /** A live summary of the stream at the data's collectedAt. */
    record(s, atMs) {
      group.add(atMs, s.online ? { recvRateMbps: s.recvRateMbps, rtt: s.rtt } : {}, Boolean(s.online));
    },
    destroy: () => group.destroy(),
  };
}

/** The host's charts (CPU, memory, network, load): /api/history/system, then the live host samples. */
export function createHostCharts() {
  const group = createRangeCharts({
    kind: 'host',
    historyUrl: (from, to, maxPoints) => `api/history/system?${new URLSearchParams({ from: String(from), to: String(to), maxPoints: String(maxPoints) })}`,
    charts: [
      { title: 'CPU', metrics: [{ key: 'cpu_percent', label: '%', color: '--accent' }], digits: 1, yMax: 100 },
      { title: 'Memory used', metrics: [{ key: 'ram_used_mb', label: 'MB', color: '--ok' }], digits: 0 },
      {
        title: 'Network',
        metrics: [
          { key: 'net_in_mbps', label: 'in Mbit/s', color: '--accent' },
          { key: 'net_out_mbps', label: 'out Mbit/s', color: '--warn' },
        ],
        digits: 2,
      },
      { title: 'Load (1 min)', metrics: [{ key: 'load', label: 'load', color: '--muted' }], digits: 2 },
    ],
  });
  return {
    el: group.el,
    /** A host sample as /api/system/latest and the WebSocket's system message carry it. */
    record(sys) {
      const at = Date.parse(sys?.sampledAt ?? '');
      if (!Number.isFinite(at)) return;
      const load = Array.isArray(sys.load_avg) ? sys.load_avg[0] : null;
      group.add(at, { cpu_percent: sys.cpu_percent, ram_used_mb: sys.ram_used_mb, net_in_mbps: sys.net_in_mbps, net_out_mbps: sys.net_out_mbps, load });
    },
    destroy: () => group.destroy(),
  };
}
