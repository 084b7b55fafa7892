/**
 * Client-side history of each stream's receive rate and RTT (from the pushes, and from the
 * server's /api/history when a stream is expanded), and the small uPlot charts of an expanded stream. uPlot is loaded on first use, so a missing
 * vendor file only costs the charts, never the table.
 */
import { h } from './dom.js';

const WINDOW_S = 10 * 60;
const MAX_POINTS = 720;

/** key -> { t: number[] (unix s), recv: (number|null)[], rtt: (number|null)[] } */
const series = new Map();

export function recordStreams(streams, key, atMs) {
  const t = Math.floor(atMs / 1000);
  const seen = new Set();
  for (const stream of streams) {
    const k = key(stream);
    seen.add(k);
    let s = series.get(k);
    if (!s) {
      s = { t: [], recv: [], rtt: [] };
      series.set(k, s);
    }
    if (s.t.length && s.t[s.t.length - 1] >= t) continue; // same sample pushed twice
    s.t.push(t);
    s.recv.push(stream.online ? (stream.recvRateMbps ?? null) : null);
    s.rtt.push(stream.online ? (stream.rtt ?? null) : null);
    let drop = 0;
    while (drop < s.t.length && (s.t[drop] < t - WINDOW_S || s.t.length - drop > MAX_POINTS)) drop += 1;
    if (drop) {
      s.t.splice(0, drop);
      s.recv.splice(0, drop);
      s.rtt.splice(0, drop);
    }
  }
  for (const k of series.keys()) if (!seen.has(k)) series.delete(k);
}

/** Puts the server's points in front of what the pushes recorded (they cover the time before the page was opened). */
function mergeServerHistory(key, points) {
  const s = series.get(key) ?? { t: [], recv: [], rtt: [] };
  series.set(key, s);
  const first = s.t.length ? s.t[0] : Infinity;
  const older = points.map((p) => ({ ...p, t: Math.floor(p.t / 1000) })).filter((p) => p.t < first && p.t >= first - WINDOW_S);
  s.t.unshift(...older.map((p) => p.t));
  s.recv.unshift(...older.map((p) => (p.online ? p.recvRateMbps : null)));
  s.rtt.unshift(...older.map((p) => (p.online ? p.rtt : null)));
}

function historyOf(key) {
  return series.get(key) ?? { t: [], recv: [], rtt: [] };
}

let uPlotPromise = null;
function loadUPlot() {
  uPlotPromise ??= import('../vendor/uPlot.esm.js').then((m) => m.default);
  return uPlotPromise;
}

/** The x range: always the last WINDOW_S seconds up to the newest sample. */
function lastWindow(max) {
  const end = max ?? Math.floor(Date.now() / 1000);
  return [end - WINDOW_S, end];
}

const AXIS = { stroke: '#8b95a7', grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 }, ticks: { stroke: 'rgba(255,255,255,0.1)' }, font: '11px system-ui, sans-serif' };

function options(title, label, color, width) {
  return {
    title,
    width,
    height: 150,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: (_u, _min, max) => lastWindow(max) }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
    axes: [{ ...AXIS }, { ...AXIS, size: 48 }],
    series: [
      {},
      { label, stroke: color, width: 1.5, fill: `${color}22`, points: { show: false }, value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
    ],
  };
}

/** The two charts of one expanded stream; `update()` redraws from the stored history. */
export function createStreamCharts(key, stream) {
  const recvBox = h('div', { className: 'chart' });
  const rttBox = h('div', { className: 'chart' });
  const note = h('p', { className: 'muted chart-note', hidden: true });
  const el = h('div', { className: 'charts' }, recvBox, rttBox, note);
  let plots = null;
  let destroyed = false;
  let observer = null;

  const data = () => {
    const s = historyOf(key);
    return { recv: [s.t, s.recv], rtt: [s.t, s.rtt] };
  };
  const widthOf = (box) => Math.max(200, Math.floor(box.clientWidth || 320));

  const query = new URLSearchParams({ node: stream.node, name: stream.name, minutes: String(WINDOW_S / 60) });
  fetch(`api/history?${query}`)
    .then((res) => (res.ok ? res.json() : null))
    .then((body) => {
      if (destroyed || !body) return;
      mergeServerHistory(key, body.points);
      api.update();
    })
    .catch(() => undefined); // the pushes alone still fill the charts

  loadUPlot().then(
    (UPlot) => {
      if (destroyed) return;
      const d = data();
      plots = {
        recv: new UPlot(options('Receive rate', 'Mbit/s', '#4cc3ff', widthOf(recvBox)), d.recv, recvBox),
        rtt: new UPlot(options('SRT round-trip time', 'ms', '#f5a524', widthOf(rttBox)), d.rtt, rttBox),
      };
      observer = new ResizeObserver(() => {
        plots.recv.setSize({ width: widthOf(recvBox), height: 150 });
        plots.rtt.setSize({ width: widthOf(rttBox), height: 150 });
      });
      observer.observe(el);
    },
    () => {
      note.textContent = 'Charts unavailable (uPlot not found under vendor/).';
      note.hidden = false;
    },
  );

  const api = {
    el,
    update() {
      if (!plots) return;
      const d = data();
      plots.recv.setData(d.recv);
      plots.rtt.setData(d.rtt);
    },
    destroy() {
      destroyed = true;
      observer?.disconnect();
      plots?.recv.destroy();
      plots?.rtt.destroy();
      plots = null;
    },
  };
  return api;
}
