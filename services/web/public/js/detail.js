/**
 * The detail pane of the opened stream: its facts (from the live summary), the large thumbnail,
 * the charts, and every connection (from the detail the api sends for opened streams only). It
 * exists only while a stream is open; closing it destroys the charts and the connection cards.
 */
import { createStreamCharts } from './charts.js';
import { connectionCard } from './connections.js';
import { h, kvList, reconcile, setHidden, setText } from './dom.js';
import { bytes, clock, mbps, ms } from './format.js';
import { healthBadge, reasonList } from './health.js';
import { snapshotView } from './snapshots.js';
import { protocolOf, videoText } from './streams.js';

/** More readers than this are summed up, not drawn (a stream can have thousands). */
const MAX_READER_CARDS = 50;

export function streamDetail(summary, { onClose }) {
  const title = h('h2', { className: 'detail-title' });
  const node = h('span', { className: 'pill' });
  const badge = healthBadge();
  const close = h('button', { className: 'close', attrs: { type: 'button', 'aria-label': 'Close detail' }, on: { click: onClose } }, '×');
  const facts = kvList('kv kv-stream');
  const reasons = reasonList();
  const charts = createStreamCharts(summary);
  const snapshot = snapshotView('snapshot-large');
  const sourceBox = h('div', { className: 'conn-list' });
  const readersTitle = h('h4', {}, 'Readers');
  const readersBox = h('div', { className: 'conn-list' });
  const moreReaders = h('p', { className: 'muted', hidden: true });
  const noSource = h('p', { className: 'muted', hidden: true }, 'No source connected.');
  const loading = h('p', { className: 'muted loading' }, 'Loading connections…');
  const gone = h('p', { className: 'gone', hidden: true }, 'This stream is no longer listed; the last values are shown.');
  const sourceEntries = new Map();
  const readerEntries = new Map();

  const el = h(
    'div',
    { className: 'detail' },
    h('header', { className: 'detail-head' }, badge.el, title, node, close),
    gone,
    h('div', { className: 'detail-top' }, h('div', { className: 'detail-facts' }, reasons.el, facts.el), snapshot.el),
    charts.el,
    h('h4', {}, 'Source'),
    loading,
    noSource,
    sourceBox,
    readersTitle,
    readersBox,
    moreReaders,
  );

  let current = summary;
  let detail = null;
  const byId = (c) => String(c.id);

  function renderFacts() {
    const s = current;
    setText(title, s.name);
    setText(node, s.node);
    badge.update(s.health);
    reasons.update(s.health);
    facts.update([
      ['Status', s.online ? `online since ${clock(s.onlineSince)}` : s.offlineSince ? `offline since ${clock(s.offlineSince)}` : 'offline'],
      ['Path config', s.confName],
      ['Source', s.sourceType ? `${s.sourceType} (${protocolOf(s.sourceType)})` : null],
      ['Video', s.video ? videoText(s) : null],
      ['Tracks', s.tracks?.length ? s.tracks.join(', ') : null],
      ['Readers', s.readers ?? 0],
      ['Receive rate', mbps(s.recvRateMbps)],
      ['Send rate', mbps(s.sendRateMbps)],
      ['RTT', s.rtt == null ? null : ms(s.rtt)],
      ['Link capacity', s.linkCapacityMbps == null ? null : mbps(s.linkCapacityMbps)],
      ['SRT last 10 s', s.srt10s ? `loss ${s.srt10s.loss} · retrans ${s.srt10s.retrans} · drop ${s.srt10s.drop} · belated ${s.srt10s.belated} · undecrypt ${s.srt10s.undecrypt}` : null],
      ['Bytes received', bytes(s.bytesReceived)],
      ['Bytes sent', bytes(s.bytesSent)],
      ['Inbound frames in error', detail?.inboundFramesInError ?? null],
      ['Frames in error, last 10 s', detail?.inboundFramesInError10s ?? null],
    ]);
  }

  function renderConnections() {
    // readerList null: the collector has not stored this stream's connections yet.
    const known = Array.isArray(detail?.readerList);
    setHidden(loading, known);
    setHidden(noSource, !known || Boolean(detail.source));
    reconcile(sourceBox, sourceEntries, known && detail.source ? [detail.source] : [], byId, connectionCard);
    const readers = known ? detail.readerList : [];
    setText(readersTitle, known ? `Readers (${readers.length})` : 'Readers');
    reconcile(readersBox, readerEntries, readers.slice(0, MAX_READER_CARDS), byId, connectionCard);
    setHidden(moreReaders, readers.length <= MAX_READER_CARDS);
    setText(moreReaders, `and ${readers.length - MAX_READER_CARDS} more readers (GET /api/streams/detail lists them all)`);
  }

  renderFacts();
  renderConnections();

  return {
    el,
    get hasDetail() {
      return detail !== null;
    },
    /** A new summary of the stream (from the overview's data). */
    updateSummary(s, atMs) {
      setHidden(gone, true);
      if (s === current) return;
      current = s;
      charts.record(s, atMs);
      renderFacts();
    },
    /** The stream's detail (summary + connections) from the api. */
    updateDetail(d) {
      detail = d;
      renderFacts();
      renderConnections();
    },
    /** The stream left the overview (removed by its collector, or its node went away). */
    markGone() {
      setHidden(gone, false);
    },
    setSnapshot(entry) {
      snapshot.update(entry);
    },
    destroy: () => charts.destroy(),
  };
}
