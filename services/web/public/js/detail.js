/** The expanded part of a stream row: facts, charts, the large snapshot and every connection. */
import { createStreamCharts } from './charts.js';
import { connectionCard } from './connections.js';
import { h, kvList, reconcile, setText } from './dom.js';
import { bytes, clock } from './format.js';
import { reasonList } from './health.js';
import { snapshotView } from './snapshots.js';

export function streamDetail(stream, key, initialSnapshot) {
  const facts = kvList('kv kv-stream');
  const reasons = reasonList();
  const charts = createStreamCharts(key, stream);
  const snapshot = snapshotView('snapshot-large');
  const sourceBox = h('div', { className: 'conn-list' });
  const readersTitle = h('h4', {});
  const readersBox = h('div', { className: 'conn-list' });
  const noSource = h('p', { className: 'muted' }, 'No source connected.');
  const sourceEntries = new Map();
  const readerEntries = new Map();

  const el = h(
    'div',
    { className: 'detail' },
    h('div', { className: 'detail-top' }, h('div', { className: 'detail-facts' }, reasons.el, facts.el), snapshot.el),
    charts.el,
    h('h4', {}, 'Source'),
    noSource,
    sourceBox,
    readersTitle,
    readersBox,
  );

  const byId = (c) => String(c.id);

  function update(s, snap) {
    reasons.update(s.health);
    facts.update([
      ['Path config', s.confName],
      ['Online since', s.online && s.onlineSince ? clock(s.onlineSince) : null],
      ['Offline since', !s.online && s.offlineSince ? clock(s.offlineSince) : null],
      ['Tracks', s.tracks?.length ? s.tracks.join(', ') : null],
      ['Bytes received', bytes(s.bytesReceived)],
      ['Bytes sent', bytes(s.bytesSent)],
      ['Inbound frames in error', s.inboundFramesInError],
    ]);
    snapshot.update(snap);
    noSource.hidden = Boolean(s.source);
    reconcile(sourceBox, sourceEntries, s.source ? [s.source] : [], byId, connectionCard);
    const readers = Array.isArray(s.readerList) ? s.readerList : [];
    setText(readersTitle, `Readers (${readers.length})`);
    reconcile(readersBox, readerEntries, readers, byId, connectionCard);
    charts.update();
  }

  update(stream, initialSnapshot);
  return { el, update, destroy: () => charts.destroy() };
}
