/**
 * The streams overview: which streams are shown and in which order (pure), and the windowed list
 * that shows them. The list has a fixed row height (the CSS variable --row-h, which depends on the
 * screen and on the thumbnails switch), so it knows which rows are on screen without measuring:
 * only those (and a few beyond each edge) are in the DOM. Rows are recycled as they scroll out, and
 * an update only touches the rows whose stream changed.
 */
import { alertMark, NO_ALERTS } from './alerts.js';
import { h, setClass, setHidden, setText, setTitle, toggleClass } from './dom.js';
import { ago, clock, DASH, mbps, ms } from './format.js';
import { healthBadge, levelOf, reasonsOf } from './health.js';
import { snapshotView } from './snapshots.js';
import { streamKey } from './store.js';

/** Rows kept in the DOM beyond each edge of the visible part, so that scrolling shows no gap. */
const OVERSCAN = 6;

/** The protocol of a MediaMTX source type: srtConn -> srt, webRTCSession -> webrtc, rtspsSource -> rtsps; null: none. */
export function protocolOf(sourceType) {
  if (typeof sourceType !== 'string' || sourceType === '') return null;
  return sourceType.replace(/(Conn|Session|Source)$/, '').toLowerCase();
}

const LEVEL_RANK = { crit: 0, warn: 1, ok: 2 };

/** The fields each sort reads (besides the names), so a delta that changes none of them keeps the order. */
export const SORT_FIELDS = { health: ['health', 'online'], name: [], node: [], readers: ['readers'], recv: ['recvRateMbps'] };

/**
 * Pure: the keys of the streams to show, filtered and in order. `nameRank` (key -> position by
 * name, see nameRanks) keeps the sort cheap for 10,000 streams.
 * filter: { text, node, health: ''|'problems'|'crit'|'warn'|'ok'|'offline', proto: ''|protocol|'none', sort }.
 */
export function visibleKeys(streams, filter, nameRank) {
  const needle = (filter.text ?? '').trim().toLowerCase();
  const { node, health, proto } = filter;
  const shown = [];
  for (const [k, s] of streams) {
    if (node && s.node !== node) continue;
    if (needle && !s.name.toLowerCase().includes(needle) && !s.node.toLowerCase().includes(needle)) continue;
    if (health) {
      const level = levelOf(s.health);
      if (health === 'offline' ? s.online : health === 'problems' ? level === 'ok' : level !== health) continue;
    }
    if (proto && (protocolOf(s.sourceType) ?? 'none') !== proto) continue;
    shown.push(k);
  }
  const byName = (a, b) => nameRank.get(a) - nameRank.get(b);
  const get = (k) => streams.get(k);
  const sorts = {
    name: byName,
    node: (a, b) => (get(a).node < get(b).node ? -1 : get(a).node > get(b).node ? 1 : byName(a, b)),
    health: (a, b) => {
      const x = get(a);
      const y = get(b);
      return LEVEL_RANK[levelOf(x.health)] - LEVEL_RANK[levelOf(y.health)] || Number(y.online) - Number(x.online) || byName(a, b);
    },
    readers: (a, b) => (get(b).readers ?? 0) - (get(a).readers ?? 0) || byName(a, b),
    recv: (a, b) => (get(b).recvRateMbps ?? -1) - (get(a).recvRateMbps ?? -1) || byName(a, b),
  };
  return shown.sort(sorts[filter.sort] ?? sorts.health);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Pure: every stream's position by name, then node (numeric-aware: cam/2 before cam/10). */
export function nameRanks(streams) {
  const all = [...streams.values()].sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.node, b.node));
  return new Map(all.map((s, i) => [streamKey(s), i]));
}

/** Pure: the counts at the top, over every stream. */
export function countStreams(streams) {
  const c = { total: 0, online: 0, offline: 0, warn: 0, crit: 0, readers: 0, ingestMbps: 0 };
  for (const s of streams.values()) {
    c.total += 1;
    if (s.online) {
      c.online += 1;
      c.ingestMbps += s.recvRateMbps ?? 0;
    } else c.offline += 1;
    const level = levelOf(s.health);
    if (level === 'warn') c.warn += 1;
    else if (level === 'crit') c.crit += 1;
    c.readers += s.readers ?? 0;
  }
  return c;
}

/** "H264 1920×1080", or the track list without video. */
export function videoText(s) {
  if (s.video) return `${s.video.codec}${s.video.width && s.video.height ? ` ${s.video.width}×${s.video.height}` : ''}`;
  return s.tracks?.length ? s.tracks.join(', ') : DASH;
}

function srtText(w) {
  return w ? `${w.loss} / ${w.drop}` : DASH;
}

const COLUMNS = [
  ['Health', 'c-health'],
  ['', 'c-thumb'],
  ['Stream', 'c-name'],
  ['Node', 'c-node'],
  ['Status', 'c-status'],
  ['Proto', 'c-proto'],
  ['Video', 'c-video'],
  ['Readers', 'c-readers num'],
  ['Recv', 'c-recv num'],
  ['Send', 'c-send num'],
  ['RTT', 'c-rtt num'],
  ['Link cap.', 'c-link num'],
  ['SRT loss/drop', 'c-srt num'],
  ['Reason', 'c-reason'],
];

/** One row, rebindable to any stream (rows are recycled while scrolling). */
function streamRow() {
  const badge = healthBadge();
  const mark = alertMark();
  const thumb = snapshotView('thumb');
  const name = h('span', { className: 'c-name' });
  const node = h('span', { className: 'c-node' });
  const status = h('span', { className: 'c-status' });
  const proto = h('span', { className: 'c-proto' });
  const video = h('span', { className: 'c-video' });
  const readers = h('span', { className: 'c-readers num' });
  const recv = h('span', { className: 'c-recv num' });
  const send = h('span', { className: 'c-send num' });
  const rtt = h('span', { className: 'c-rtt num' });
  const link = h('span', { className: 'c-link num' });
  const srt = h('span', { className: 'c-srt num' });
  const reason = h('span', { className: 'c-reason' });
  const health = h('span', { className: 'c-health' }, badge.el, mark.el);
  const thumbCell = h('span', { className: 'c-thumb' }, thumb.el);
  const el = h(
    'div',
    { className: 'row', attrs: { role: 'button', tabindex: '0' } },
    health,
    thumbCell,
    name,
    node,
    status,
    proto,
    video,
    readers,
    recv,
    send,
    rtt,
    link,
    srt,
    reason,
  );
  let stream = null;
  let key = null;
  let top = null;
  let snap;
  let alerted = null;

  const sinceText = (s, now) => {
    const age = ago(s.online ? s.onlineSince : s.offlineSince, now);
    return `${s.online ? 'online' : 'offline'}${age ? ` ${s.online ? 'for' : 'since'} ${age}` : ''}`;
  };

  return {
    el,
    get key() {
      return key;
    },
    /** Shows `s` (a no-op when it is the object shown already). */
    update(k, s) {
      if (k !== key) {
        key = k;
        el.dataset.node = s.node;
        el.dataset.name = s.name;
      }
      if (s === stream) return;
      stream = s;
      toggleClass(el, 'offline', !s.online);
      badge.update(s.health);
      setText(name, s.name);
      setTitle(name, s.confName && s.confName !== s.name ? `${s.name} (conf ${s.confName})` : s.name);
      setText(node, s.node);
      setText(status, sinceText(s, Date.now()));
      setClass(status, s.online ? 'c-status on' : 'c-status off');
      setTitle(status, s.online ? (s.onlineSince ? `online since ${clock(s.onlineSince)}` : '') : s.offlineSince ? `offline since ${clock(s.offlineSince)}` : '');
      setText(proto, protocolOf(s.sourceType) ?? DASH);
      setTitle(proto, s.sourceType ?? '');
      setText(video, videoText(s));
      setTitle(video, s.tracks?.join(', ') ?? '');
      setText(readers, s.readers ?? 0);
      setText(recv, mbps(s.recvRateMbps));
      setText(send, mbps(s.sendRateMbps));
      setText(rtt, ms(s.rtt));
      setText(link, mbps(s.linkCapacityMbps));
      setText(srt, srtText(s.srt10s));
      setTitle(srt, s.srt10s ? `last 10 s: loss ${s.srt10s.loss}, retrans ${s.srt10s.retrans}, drop ${s.srt10s.drop}, belated ${s.srt10s.belated}, undecrypt ${s.srt10s.undecrypt}` : '');
      const reasons = reasonsOf(s.health);
      setText(reason, reasons.length ? reasons[0] + (reasons.length > 1 ? ` (+${reasons.length - 1})` : '') : '');
      setTitle(reason, reasons.join('\n'));
    },
    /** The "online for …" text moves on with the clock. */
    tick(now) {
      if (stream) setText(status, sinceText(stream, now));
    },
    place(y) {
      if (y === top) return;
      top = y;
      el.style.transform = `translateY(${y}px)`;
    },
    /** The alert mark of the stream (alerts.js streamMark; null: none). */
    alert(m) {
      if (m === alerted) return;
      alerted = m;
      mark.update(m);
    },
    /** The thumbnail entry (undefined: thumbnails are off, leave the image alone). */
    thumb(entry) {
      if (entry === snap) return;
      snap = entry;
      if (entry !== undefined) thumb.update(entry);
    },
  };
}

/**
 * The windowed list. `onOpen(key)` when a row is clicked (or Enter on it).
 * `show(order, streams, changed)`: the keys in order, the key -> summary map, and the keys whose
 * stream changed (null: any may have).
 */
export function createStreamList({ onOpen }) {
  const head = h('div', { className: 'row row-head', attrs: { 'aria-hidden': 'true' } }, ...COLUMNS.map(([label, cls]) => h('span', { className: cls }, label)));
  const rows = h('div', { className: 'rows' });
  const empty = h('p', { className: 'empty' });
  const el = h('div', { className: 'list', attrs: { id: 'stream-list' } }, head, rows, empty);

  /** key -> row in the DOM */
  const active = new Map();
  const pool = [];
  const rowOf = new WeakMap();
  let order = [];
  let streams = new Map();
  let snapshots = new Map();
  let alerts = NO_ALERTS;
  let thumbs = false;
  let selected = null;
  let rowHeight = 0;
  let queued = false;

  function measure() {
    rowHeight = parseFloat(getComputedStyle(el).getPropertyValue('--row-h')) || 32;
  }

  function render() {
    queued = false;
    if (!rowHeight) measure();
    const height = `${order.length * rowHeight}px`;
    if (rows.style.height !== height) rows.style.height = height;
    const offset = el.scrollTop - rows.offsetTop;
    const first = Math.max(0, Math.floor(offset / rowHeight) - OVERSCAN);
    const last = Math.min(order.length, Math.ceil((offset + el.clientHeight) / rowHeight) + OVERSCAN);
    const wanted = new Set(order.slice(first, last));
    for (const [k, row] of active) {
      if (wanted.has(k)) continue;
      row.el.remove();
      active.delete(k);
      pool.push(row);
    }
    for (let i = first; i < last; i++) {
      const k = order[i];
      let row = active.get(k);
      if (!row) {
        row = pool.pop() ?? streamRow();
        rowOf.set(row.el, row);
        active.set(k, row);
        rows.append(row.el);
      }
      const s = streams.get(k);
      row.update(k, s);
      row.alert(alerts.streamMark(k, s.node));
      row.place(i * rowHeight);
      row.thumb(thumbs ? (snapshots.get(k) ?? null) : undefined);
      toggleClass(row.el, 'selected', k === selected);
    }
  }

  function schedule() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(render);
  }

  el.addEventListener('scroll', schedule, { passive: true });
  new ResizeObserver(() => {
    measure();
    schedule();
  }).observe(el);
  const open = (target) => {
    const row = rowOf.get(target.closest('.row'));
    if (row?.key) onOpen(row.key);
  };
  rows.addEventListener('click', (e) => {
    if (window.getSelection()?.toString()) return; // selecting text, not opening
    open(e.target);
  });
  rows.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    open(e.target);
  });

  return {
    el,
    /** Renders now (the caller batches per frame). */
    show(nextOrder, nextStreams, emptyText) {
      order = nextOrder;
      streams = nextStreams;
      setText(empty, emptyText);
      setHidden(empty, order.length > 0);
      render();
    },
    setSnapshots(map) {
      snapshots = map;
      if (thumbs) schedule();
    },
    /** The alerts' index (alerts.js indexAlerts): each row's mark. */
    setAlerts(index) {
      alerts = index;
      schedule();
    },
    setThumbs(on) {
      thumbs = on;
      toggleClass(el, 'with-thumbs', on);
      measure();
      schedule();
    },
    setSelected(key) {
      selected = key;
      schedule();
    },
    tick() {
      const now = Date.now();
      for (const row of active.values()) row.tick(now);
    },
  };
}
