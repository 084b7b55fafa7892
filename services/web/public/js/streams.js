/**
 * The streams table: one <tbody> per stream (its row and, when expanded, its detail row), kept by
 * node+name and updated in place; only changed cells are touched and rows only move when the order
 * changes. Details exist only while expanded, so collapsed streams cost a row and nothing more.
 */
import { streamDetail } from './detail.js';
import { h, reconcile, setClass, setHidden, setText, setTitle, toggleClass } from './dom.js';
import { ago, clock, DASH, mbps, ms } from './format.js';
import { healthBadge, levelOf, reasonsOf } from './health.js';
import { snapshotView } from './snapshots.js';

export const streamKey = (s) => `${s.node}\u0000${s.name}`;

const COLUMNS = [
  ['', 'col-toggle'],
  ['', 'col-thumb'],
  ['Stream', 'col-name'],
  ['Node', 'col-node'],
  ['Status', 'col-status'],
  ['Source', 'col-source'],
  ['Tracks', 'col-tracks'],
  ['Readers', 'col-readers num'],
  ['Recv', 'col-recv num'],
  ['Send', 'col-send num'],
  ['RTT', 'col-rtt num'],
  ['Link cap.', 'col-link num'],
  ['Health', 'col-health'],
];

const LEVEL_RANK = { crit: 0, warn: 1, ok: 2 };

export const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name) || a.node.localeCompare(b.node),
  node: (a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name),
  health: (a, b) =>
    LEVEL_RANK[levelOf(a.health)] - LEVEL_RANK[levelOf(b.health)] || Number(b.online) - Number(a.online) || SORTS.name(a, b),
  readers: (a, b) => (b.readers ?? 0) - (a.readers ?? 0) || SORTS.name(a, b),
  recv: (a, b) => (b.recvRateMbps ?? -1) - (a.recvRateMbps ?? -1) || SORTS.name(a, b),
};

/** Pure: the streams to show, filtered by node and by a text matching name or node, in order. */
export function visibleStreams(streams, { text = '', node = '', sort = 'name' } = {}) {
  const needle = text.trim().toLowerCase();
  const shown = streams.filter(
    (s) => (!node || s.node === node) && (!needle || s.name.toLowerCase().includes(needle) || s.node.toLowerCase().includes(needle)),
  );
  return shown.sort(SORTS[sort] ?? SORTS.name);
}

function cell(className, label, ...children) {
  return h('td', { className, dataset: label ? { label } : {} }, ...children);
}

function streamRow(stream, ctx) {
  const key = streamKey(stream);
  const toggle = h('button', { className: 'toggle', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-label': 'Show details' } }, '▸');
  const thumb = snapshotView('thumb');
  const name = h('span', { className: 'stream-name' });
  const conf = h('span', { className: 'sub muted' });
  const node = h('span', {});
  const status = h('span', { className: 'status' });
  const since = h('span', { className: 'sub muted' });
  const source = h('span', {});
  const tracks = h('span', { className: 'tracks' });
  const readers = h('span', {});
  const recv = h('span', {});
  const send = h('span', {});
  const rtt = h('span', {});
  const link = h('span', {});
  const badge = healthBadge();
  const reason = h('span', { className: 'sub reason' });

  const row = h(
    'tr',
    { className: 'row' },
    cell('col-toggle', null, toggle),
    cell('col-thumb', null, thumb.el),
    cell('col-name', 'Stream', name, conf),
    cell('col-node', 'Node', node),
    cell('col-status', 'Status', status, since),
    cell('col-source', 'Source', source),
    cell('col-tracks', 'Tracks', tracks),
    cell('col-readers num', 'Readers', readers),
    cell('col-recv num', 'Recv', recv),
    cell('col-send num', 'Send', send),
    cell('col-rtt num', 'RTT', rtt),
    cell('col-link num', 'Link cap.', link),
    cell('col-health', 'Health', badge.el, reason),
  );
  const detailCell = h('td', { attrs: { colspan: COLUMNS.length } });
  const detailRow = h('tr', { className: 'detail-row', hidden: true }, detailCell);
  const el = h('tbody', { className: 'stream', dataset: { node: stream.node, name: stream.name } }, row, detailRow);

  let current = stream;
  let detail = null;

  function setExpanded(open) {
    if (open === Boolean(detail)) return;
    if (open) {
      detail = streamDetail(current, key, ctx.snapshot(current.name));
      detailCell.append(detail.el);
      ctx.expanded.add(key);
    } else {
      detail.destroy();
      detail.el.remove();
      detail = null;
      ctx.expanded.delete(key);
    }
    detailRow.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.setAttribute('aria-label', open ? 'Hide details' : 'Show details');
    toggleClass(el, 'expanded', open);
  }

  toggle.addEventListener('click', (e) => {
    e.stopPropagation();
    setExpanded(!detail);
  });
  row.addEventListener('click', () => {
    if (window.getSelection()?.toString()) return; // selecting text, not toggling
    setExpanded(!detail);
  });

  function update(s) {
    current = s;
    const now = Date.now();
    toggleClass(el, 'offline', !s.online);
    setText(name, s.name);
    setTitle(name, s.name);
    setText(conf, s.confName && s.confName !== s.name ? `conf ${s.confName}` : '');
    setText(node, s.node);
    setText(status, s.online ? 'online' : 'offline');
    setClass(status, s.online ? 'status status-on' : 'status status-off');
    const sinceIso = s.online ? s.onlineSince : s.offlineSince;
    const age = ago(sinceIso, now);
    setText(since, age ? `${s.online ? 'for' : 'since'} ${age}` : '');
    setTitle(since, sinceIso ? `${s.online ? 'online since' : 'offline since'} ${clock(sinceIso)}` : '');
    setText(source, s.sourceType ?? DASH);
    setText(tracks, s.tracks?.length ? s.tracks.join(', ') : DASH);
    setText(readers, s.readers ?? 0);
    setText(recv, mbps(s.recvRateMbps));
    setText(send, mbps(s.sendRateMbps));
    setText(rtt, ms(s.rtt));
    setText(link, mbps(s.linkCapacityMbps));
    badge.update(s.health);
    const reasons = reasonsOf(s.health);
    setText(reason, reasons.length ? reasons[0] + (reasons.length > 1 ? ` (+${reasons.length - 1})` : '') : '');
    setTitle(reason, reasons.join('\n'));
    thumb.update(ctx.snapshot(s.name));
    detail?.update(s, ctx.snapshot(s.name));
  }

  update(stream);
  if (ctx.expanded.has(key)) setExpanded(true);
  return {
    el,
    update,
    refreshSnapshot() {
      thumb.update(ctx.snapshot(current.name));
      detail?.update(current, ctx.snapshot(current.name));
    },
    destroy: () => detail?.destroy(),
  };
}

export function createStreamsTable() {
  const headRow = h('tr', {}, ...COLUMNS.map(([label, className]) => h('th', { className, attrs: { scope: 'col' } }, label)));
  const emptyCell = h('td', { className: 'empty', attrs: { colspan: COLUMNS.length } });
  const empty = h('tbody', { className: 'empty-body', hidden: true }, h('tr', {}, emptyCell));
  const table = h('table', { className: 'streams', attrs: { id: 'streams' } }, h('thead', {}, headRow), empty);
  const entries = new Map();
  let snapshots = new Map();
  const ctx = { expanded: new Set(), snapshot: (name) => snapshots.get(name) ?? null };

  return {
    el: table,
    /** `streams`: the visible streams in order; `emptyText`: what to say when there are none. */
    update(streams, emptyText) {
      reconcile(table, entries, streams, streamKey, (s) => streamRow(s, ctx), table.tHead.nextSibling);
      setText(emptyCell, emptyText);
      setHidden(empty, streams.length > 0);
    },
    setSnapshots(items) {
      snapshots = new Map((Array.isArray(items) ? items : []).map((item) => [item.name, item]));
      for (const entry of entries.values()) entry.refreshSnapshot();
    },
  };
}

