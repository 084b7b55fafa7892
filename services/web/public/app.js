/**
 * The dashboard's wiring: the live feed (WebSocket with deltas, polling while it is down), the
 * stream store, the filters (synced to the URL: ?q=, ?node=, ?health=, ?proto=, ?sort=, ?open=),
 * the windowed overview, the detail pane of the opened stream (its detail subscribed while it is
 * open), the host line, the alerts (a banner of firing ones, a mark on each affected stream and
 * on the host line) and /api/health every 10 s. Rendering is batched per frame; the order of
 * the list is only computed again when something it depends on changed.
 */
import { createAlertBanner, indexAlerts } from './js/alerts.js';
import { streamDetail } from './js/detail.js';
import { h, reconcile, setClass, setHidden, setText, setTitle } from './js/dom.js';
import { ago, mbps } from './js/format.js';
import { summarizeHealth } from './js/health.js';
import { apiUrl, fetchDetail, startFeed } from './js/live.js';
import { sessionEnded, showUser, whoIsLooking } from './js/login.js';
import { affectsOrder, createStreamStore, streamKey } from './js/store.js';
import { countStreams, createStreamList, nameRanks, protocolOf, SORT_FIELDS, visibleKeys } from './js/streams.js';
import { createHostStrip } from './js/system.js';

const HEALTH_POLL_MS = 10000;
/** Streams data older than this is shown as stale in the header. */
const STALE_AFTER_MS = 30000;
const THUMBS_SETTING = 'mmon.thumbs';

const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const FILTER_DEFAULTS = { q: '', node: '', health: '', proto: '', sort: 'health' };
const filter = Object.fromEntries(Object.entries(FILTER_DEFAULTS).map(([k, v]) => [k, params.get(k) ?? v]));

const store = createStreamStore();
const state = {
  streamsAt: null,
  health: null,
  feed: 'connecting',
  pollError: null,
  snapshots: new Map(),
  nameRank: new Map(),
  order: [],
  membershipDirty: true,
  orderDirty: true,
  /** The opened stream: { key, ref: { node, name }, pane } */
  open: null,
};

const host = createHostStrip();
$('system').append(host.el);
const list = createStreamList({ onOpen: (key) => openStream(key) });
$('streams').append(list.el);
const detailBox = $('detail');
const alerts = createAlertBanner({ onOpen: (key) => openStream(key) });
$('system').before(alerts.el);
$('node-count').before(alerts.pill);

const inputs = { q: $('filter'), node: $('node-filter'), health: $('health-filter'), proto: $('proto-filter'), sort: $('sort') };
const nodeOptions = new Map();
const protoOptions = new Map();

function syncUrl() {
  const url = new URL(location.href);
  for (const [param, fallback] of Object.entries(FILTER_DEFAULTS)) {
    if (filter[param] && filter[param] !== fallback) url.searchParams.set(param, filter[param]);
    else url.searchParams.delete(param);
  }
  if (state.open) url.searchParams.set('open', `${state.open.ref.node}/${state.open.ref.name}`);
  else url.searchParams.delete('open');
  history.replaceState(null, '', url);
}

for (const [param, input] of Object.entries(inputs)) {
  input.value = filter[param];
  input.addEventListener(param === 'q' ? 'input' : 'change', () => {
    filter[param] = input.value;
    state.orderDirty = true;
    syncUrl();
    scheduleRender();
  });
}

const thumbs = $('thumbs');
thumbs.checked = localStorage.getItem(THUMBS_SETTING) !== 'off';
list.setThumbs(thumbs.checked);
thumbs.addEventListener('change', () => {
  localStorage.setItem(THUMBS_SETTING, thumbs.checked ? 'on' : 'off');
  list.setThumbs(thumbs.checked);
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

/** A <select>'s options: the fixed first one, then `values` (and the selected one, even when it has no streams now). */
function renderOptions(select, entries, first, values, selected, label = (v) => v) {
  const all = new Set(values);
  if (selected) all.add(selected);
  const items = [first, ...[...all].sort().map((v) => ({ id: v, label: label(v) }))];
  reconcile(select, entries, items, (o) => o.id, (o) => ({ el: h('option', { attrs: { value: o.id } }, o.label), update() {} }));
  if (select.value !== selected) select.value = selected;
}

function renderStreams() {
  const streams = store.streams;
  if (state.membershipDirty) {
    state.membershipDirty = false;
    state.nameRank = nameRanks(streams);
    const nodes = new Set();
    const protos = new Set();
    for (const s of streams.values()) {
      nodes.add(s.node);
      protos.add(protocolOf(s.sourceType) ?? 'none');
    }
    renderOptions(inputs.node, nodeOptions, { id: '', label: 'All nodes' }, nodes, filter.node);
    renderOptions(inputs.proto, protoOptions, { id: '', label: 'All protocols' }, protos, filter.proto, (p) => (p === 'none' ? 'no source' : p.toUpperCase()));
  }
  if (state.orderDirty) {
    state.orderDirty = false;
    state.order = visibleKeys(streams, { ...filter, text: filter.q }, state.nameRank);
  }
  const emptyText = streams.size === 0 ? (state.streamsAt ? 'No streams.' : 'Waiting for data…') : 'No stream matches the filter.';
  list.show(state.order, streams, emptyText);

  const c = countStreams(streams);
  setText($('count-online'), c.online);
  setText($('count-offline'), c.offline);
  setText($('count-warn'), c.warn);
  setText($('count-crit'), c.crit);
  setText($('count-readers'), c.readers);
  setText($('sum-recv'), mbps(c.ingestMbps));
  setText($('count-shown'), state.order.length === c.total ? String(c.total) : `${state.order.length} of ${c.total}`);
  const title = `${c.crit ? `(${c.crit} crit) ` : ''}MediaMTX Monitor`;
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

  const nodeCount = hs?.nodeCount || inputs.node.options.length - 1;
  setText($('node-count'), `${nodeCount} node${nodeCount === 1 ? '' : 's'}`);
}

function subscribeDetail() {
  feed.send({ type: 'detail', streams: state.open ? [state.open.ref] : [] });
}

function openStream(key) {
  if (state.open?.key === key) return;
  const summary = store.streams.get(key);
  if (!summary) return;
  closeStream({ unsubscribe: false });
  const ref = { node: summary.node, name: summary.name };
  const pane = streamDetail(summary, { onClose: () => closeStream() });
  pane.setSnapshot(state.snapshots.get(key) ?? null);
  state.open = { key, ref, pane };
  detailBox.replaceChildren(pane.el);
  detailBox.hidden = false;
  list.setSelected(key);
  subscribeDetail();
  fetchDetail(ref).then(
    (d) => {
      // Only while the socket has not sent a (newer) detail meanwhile.
      if (d && state.open?.pane === pane && !pane.hasDetail) pane.updateDetail(d);
    },
    () => undefined, // the socket's detail (or the next poll) fills it
  );
  syncUrl();
}

function closeStream({ unsubscribe = true } = {}) {
  if (!state.open) return;
  state.open.pane.destroy();
  state.open = null;
  detailBox.replaceChildren();
  detailBox.hidden = true;
  list.setSelected(null);
  if (unsubscribe) subscribeDetail();
  syncUrl();
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && state.open) closeStream();
});

/** Opens the stream named by ?open=node/name once it is known. */
let pendingOpen = params.get('open');
function openFromUrl() {
  if (!pendingOpen) return;
  const slash = pendingOpen.indexOf('/');
  const key = streamKey({ node: pendingOpen.slice(0, slash), name: pendingOpen.slice(slash + 1) });
  if (!store.streams.has(key)) return;
  pendingOpen = null;
  openStream(key);
}

function receivedAt(message) {
  const at = Date.parse(message.collectedAt ?? '');
  const t = Number.isFinite(at) ? at : Date.now();
  state.streamsAt = Math.max(state.streamsAt ?? 0, t);
  return t;
}

/** The opened stream's new summary (when it is among `keys`; null: any may have changed), or that it is gone. */
function followOpen(keys, at) {
  const open = state.open;
  if (!open || (keys && !keys.has(open.key))) return;
  const s = store.streams.get(open.key);
  if (s) open.pane.updateSummary(s, at);
  else open.pane.markGone();
}

function onStreams(message) {
  const at = receivedAt(message);
  store.applyFull(message.data, message.seq);
  state.membershipDirty = true;
  state.orderDirty = true;
  followOpen(null, at);
  openFromUrl();
  scheduleRender();
  // Fresh data while the collector was reported stale: ask again rather than wait for the next poll.
  if (state.health?.collectorStale && Date.now() - healthPolledAt > 2000) void pollHealth();
}

function onDelta(message) {
  const wasAwaiting = store.awaitingFull;
  const applied = store.applyDelta(message);
  if (!applied) {
    if (!wasAwaiting) feed.send({ type: 'resync' });
    return;
  }
  const at = receivedAt(message);
  if (applied.all) {
    state.membershipDirty = true;
    state.orderDirty = true;
  } else if (affectsOrder(applied.orderFields, SORT_FIELDS[filter.sort] ?? SORT_FIELDS.health)) {
    state.orderDirty = true;
  }
  followOpen(applied.keys, at);
  if (applied.keys.size) scheduleRender();
}

function onDetail(message) {
  const open = state.open;
  if (!open || !Array.isArray(message.data)) return;
  const d = message.data.find((x) => x && streamKey(x) === open.key);
  if (d) open.pane.updateDetail(d);
}

function onAlerts(items) {
  const index = indexAlerts(items);
  alerts.update(index);
  list.setAlerts(index);
  host.setAlert(index.hostMark);
}

function onSnapshots(items) {
  state.snapshots = new Map((Array.isArray(items) ? items : []).filter((e) => e && typeof e.node === 'string').map((e) => [streamKey(e), e]));
  list.setSnapshots(state.snapshots);
  state.open?.pane.setSnapshot(state.snapshots.get(state.open.key) ?? null);
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

// Signed in (when the api asks for it) before any data is asked for.
showUser(await whoIsLooking(), document.querySelector('.topbar'));

const feed = startFeed({
  onMessage(message) {
    if (message.type === 'streams' && Array.isArray(message.data)) onStreams(message);
    else if (message.type === 'streams.delta') onDelta(message);
    else if (message.type === 'detail') onDetail(message);
    else if (message.type === 'system') host.update(message.data);
    else if (message.type === 'snapshots') onSnapshots(message.data);
    else if (message.type === 'alerts') onAlerts(message.data);
  },
  onState(next) {
    state.feed = next;
    if (next === 'live' && state.open) subscribeDetail();
    renderHeader();
  },
  onPollError(error) {
    if (/: HTTP 401$/.test(error ?? '')) sessionEnded();
    state.pollError = error;
    renderHeader();
  },
  pollDetail: () => (state.open ? [state.open.ref] : []),
});

void pollHealth();
setInterval(pollHealth, HEALTH_POLL_MS);
setInterval(renderHeader, 1000);
setInterval(() => {
  list.tick();
  alerts.tick();
}, 10000);
renderStreams();
host.update(null);
