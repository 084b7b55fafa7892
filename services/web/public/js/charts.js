/**
 * The two charts of the opened stream (receive rate and SRT RTT): the server's history
 * (/api/history, the time before the stream was opened) followed by the live summaries received
 * while it is open. The series live as long as the charts: nothing is kept for closed streams.
 * uPlot is loaded on first use, so a missing vendor file only costs the charts. Colours come from
 * the page's CSS variables and follow a change of the system's light/dark setting.
 */
import { h } from './dom.js';

const WINDOW_S = 10 * 60;
const MAX_POINTS = 720;
const HEIGHT = 150;

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

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function options(title, label, color, width) {
  const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') }, font: '11px system-ui, sans-serif' };
  return {
    title,
    width,
    height: HEIGHT,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: (_u, _min, max) => lastWindow(max) }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
    axes: [{ ...axis }, { ...axis, size: 48 }],
    series: [
      {},
      { label, stroke: color, width: 1.5, fill: `${color}22`, points: { show: false }, value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
    ],
  };
}

/**
 * `record(summary, atMs)` adds a live point (at the data's collectedAt, never the browser's clock,
 * which may be off); `destroy()` ends everything.
 */
export function createStreamCharts(stream) {
  const recvBox = h('div', { className: 'chart' });
  const rttBox = h('div', { className: 'chart' });
  const note = h('p', { className: 'muted chart-note', hidden: true });
  const el = h('div', { className: 'charts' }, recvBox, rttBox, note);
  const s = { t: [], recv: [], rtt: [] };
  let plots = null;
  let UPlot = null;
  let destroyed = false;
  const scheme = matchMedia('(prefers-color-scheme: dark)');

  const widthOf = (box) => Math.max(200, Math.floor(box.clientWidth || 320));
  const observer = new ResizeObserver(() => {
    plots?.recv.setSize({ width: widthOf(recvBox), height: HEIGHT });
    plots?.rtt.setSize({ width: widthOf(rttBox), height: HEIGHT });
  });

  function draw() {
    if (destroyed || !UPlot) return;
    plots?.recv.destroy();
    plots?.rtt.destroy();
    plots = {
      recv: new UPlot(options('Receive rate', 'Mbit/s', cssVar('--accent'), widthOf(recvBox)), [s.t, s.recv], recvBox),
      rtt: new UPlot(options('SRT round-trip time', 'ms', cssVar('--warn'), widthOf(rttBox)), [s.t, s.rtt], rttBox),
    };
  }
  const redraw = () => {
    plots?.recv.setData([s.t, s.recv]);
    plots?.rtt.setData([s.t, s.rtt]);
  };
  scheme.addEventListener('change', draw);

  function push(t, stream) {
    if (s.t.length && s.t[s.t.length - 1] >= t) return; // same sample twice
    s.t.push(t);
    s.recv.push(stream.online ? (stream.recvRateMbps ?? null) : null);
    s.rtt.push(stream.online ? (stream.rtt ?? null) : null);
    let drop = 0;
    while (drop < s.t.length && (s.t[drop] < t - WINDOW_S || s.t.length - drop > MAX_POINTS)) drop += 1;
    if (drop) for (const a of [s.t, s.recv, s.rtt]) a.splice(0, drop);
  }

  const query = new URLSearchParams({ node: stream.node, name: stream.name, minutes: String(WINDOW_S / 60) });
  fetch(`api/history?${query}`)
    .then((res) => (res.ok ? res.json() : null))
    .then((body) => {
      if (destroyed || !Array.isArray(body?.points)) return;
      // The server's points go in front of the live ones (they cover the time before opening).
      const first = s.t.length ? s.t[0] : Infinity;
      const older = body.points.map((p) => ({ ...p, t: Math.floor(p.t / 1000) })).filter((p) => p.t < first && p.t >= first - WINDOW_S);
      s.t.unshift(...older.map((p) => p.t));
      s.recv.unshift(...older.map((p) => (p.online ? p.recvRateMbps : null)));
      s.rtt.unshift(...older.map((p) => (p.online ? p.rtt : null)));
      redraw();
    })
    .catch(() => undefined); // the live points alone still fill the charts

  loadUPlot().then(
    (loaded) => {
      UPlot = loaded;
      draw();
      observer.observe(el);
    },
    () => {
      note.textContent = 'Charts unavailable (uPlot not found under vendor/).';
      note.hidden = false;
    },
  );

  return {
    el,
    record(stream, atMs) {
      push(Math.floor(atMs / 1000), stream);
      redraw();
    },
    destroy() {
      destroyed = true;
      scheme.removeEventListener('change', draw);
      observer.disconnect();
      plots?.recv.destroy();
      plots?.rtt.destroy();
      plots = null;
    },
  };
}
