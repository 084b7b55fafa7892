/**
 * The dashboard's wiring: the live feed (WebSocket, polling while it is down), /api/health every
 * 10 s, the filter (synced to ?node=, ?q=, ?sort=), and the panels. Rendering is batched per frame.
 */
import { recordStreams } from './js/charts.js';
import { h, reconcile, setClass, setHidden, setText, setTitle } from './js/dom.js';
import { ago, mbps } from './js/format.js';
import { levelOf, summarizeHealth } from './js/health.js';
import { apiUrl, startFeed } from './js/live.js';
import { createStreamsTable, streamKey, visibleStreams } from './js/streams.js';
import { createSystemPanel } from './js/system.js';

const HEALTH_POLL_MS = 10000;
/** Streams data older than this is shown as stale in the header. */
const STALE_AFTER_MS = 30000;

const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const state = {
  streams: [],
  streamsAt: null,
  health: null,
  feed: 'connecting',
  pollError: null,
  filter: { text: params.get('q') ?? '', node: params.get('node') ?? '', sort: params.get('sort') ?? 'name' },
};

const systemPanel = createSystemPanel();
const table = createStreamsTable();
$('system').append(systemPanel.el);
$('streams-table').append(table.el);

const filterInput = $('filter');
const nodeSelect = $('node-filter');
const sortSelect = $('sort');
filterInput.value = state.filter.text;
sortSelect.value = state.filter.sort;
const nodeOptions = new Map();

function syncUrl() {
  const url = new URL(location.href);
  for (const [param, value, fallback] of [
    ['q', state.filter.text, ''],
    ['node', state.filter.node, ''],
    ['sort', state.filter.sort, 'name'],
  ]) {
    if (value && value !== fallback) url.searchParams.set(param, value);
    else url.searchParams.delete(param);
  }
  history.replaceState(null, '', url);
}

filterInput.addEventListener('input', () => {
  state.filter.text = filterInput.value;
  syncUrl();
  scheduleRender();
});
nodeSelect.addEventListener('change', () => {
  state.filter.node = nodeSelect.value;
  syncUrl();
  scheduleRender();
});
sortSelect.addEventListener('change', () => {
  state.filter.sort = sortSelect.value;
  syncUrl();
  scheduleRender();
});

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderStreams();
    renderHeader();
  });
}

function renderNodeOptions() {
  const nodes = [...new Set(state.streams.map((s) => s.node))];
  if (state.filter.node && !nodes.includes(state.filter.node)) nodes.push(state.filter.node);
  nodes.sort();
  const items = [{ id: '', label: 'All nodes' }, ...nodes.map((n) => ({ id: n, label: n }))];
  reconcile(nodeSelect, nodeOptions, items, (o) => o.id, (o) => ({ el: h('option', { attrs: { value: o.id } }, o.label), update() {} }));
  if (nodeSelect.value !== state.filter.node) nodeSelect.value = state.filter.node;
}

function renderStreams() {
  renderNodeOptions();
  const shown = visibleStreams(state.streams, state.filter);
  const filtered = state.filter.text || state.filter.node;
  const emptyText = state.streams.length === 0 ? (state.streamsAt ? 'No streams.' : 'Waiting for data…') : 'No stream matches the filter.';
  table.update(shown, emptyText);

  const count = (pred) => shown.filter(pred).length;
  setText($('count-shown'), filtered ? `${shown.length} of ${state.streams.length}` : String(shown.length));
  setText($('count-online'), count((s) => s.online));
  setText($('count-offline'), count((s) => !s.online));
  setText($('count-warn'), count((s) => levelOf(s.health) === 'warn'));
  setText($('count-crit'), count((s) => levelOf(s.health) === 'crit'));
  setText($('count-readers'), shown.reduce((n, s) => n + (s.readers ?? 0), 0));
  setText($('sum-recv'), mbps(shown.reduce((n, s) => n + (s.online ? (s.recvRateMbps ?? 0) : 0), 0)));
  const crit = state.streams.filter((s) => levelOf(s.health) === 'crit').length;
  const title = `${crit ? `(${crit} crit) ` : ''}MediaMTX Monitor`;
  if (document.title !== title) document.title = title;
}

function pill(el, level, text, title = '') {
  setClass(el, `pill pill-${level}`);
  setText(el, text);
  setTitle(el, title);
}

function renderHeader() {
  const feed =
    state.feed === 'live'
      ? ['ok', 'Live', 'WebSocket connected']
      : state.feed === 'polling'
        ? state.pollError
          ? ['crit', 'Disconnected', `API unreachable: ${state.pollError}`]
          : ['warn', 'Polling', 'WebSocket down, polling every 5 s']
        : ['muted', 'Connecting…', ''];
  pill($('feed-state'), ...feed);

  const age = state.streamsAt == null ? null : Date.now() - state.streamsAt;
  const data = $('data-age');
  if (age == null) pill(data, 'muted', 'no data yet');
  else pill(data, age > STALE_AFTER_MS ? 'warn' : 'ok', `updated ${ago(new Date(state.streamsAt).toISOString())} ago`);

  const hs = state.health;
  const collector = $('collector-state');
  if (!hs) pill(collector, 'muted', 'collector ?');
  else if (!hs.redisReachable) pill(collector, 'crit', 'Redis unreachable');
  else if (hs.collectorStale)
    pill(collector, 'crit', hs.staleNodes.length ? `stale: ${hs.staleNodes.join(', ')}` : 'collector stale', hs.collectorError ?? '');
  else pill(collector, 'ok', 'collector ok');
  setHidden($('sysmon-state'), !hs?.sysmonStale);

  const nodeCount = hs?.nodeCount || new Set(state.streams.map((s) => s.node)).size;
  setText($('node-count'), `${nodeCount} node${nodeCount === 1 ? '' : 's'}`);
}

let healthPolledAt = 0;
async function pollHealth() {
  healthPolledAt = Date.now();
  try {
    const res = await fetch(apiUrl('api/health'), { cache: 'no-store' });
    state.health = summarizeHealth(await res.json());
  } catch {
    state.health = null;
  }
  renderHeader();
}

startFeed({
  onMessage(message) {
    if (message.type === 'streams' && Array.isArray(message.data)) {
      const at = Date.parse(message.collectedAt ?? '');
      state.streams = message.data;
      state.streamsAt = Number.isFinite(at) ? at : Date.now();
      recordStreams(state.streams, streamKey, state.streamsAt);
      scheduleRender();
      // Fresh data while the collector was reported stale: ask again rather than wait for the next poll.
      if (state.health?.collectorStale && Date.now() - healthPolledAt > 2000) void pollHealth();
    } else if (message.type === 'system') {
      systemPanel.update(message.data);
    } else if (message.type === 'snapshots') {
      table.setSnapshots(message.data);
    }
  },
  onState(feed) {
    state.feed = feed;
    renderHeader();
  },
  onPollError(error) {
    state.pollError = error;
    renderHeader();
  },
});

void pollHealth();
setInterval(pollHealth, HEALTH_POLL_MS);
setInterval(renderHeader, 1000);
renderStreams();
systemPanel.update(null);
