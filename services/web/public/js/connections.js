/** One connection (a stream's source or a reader) as a card, updated in place. */
import { h, kvList, setText } from './dom.js';
import { bytes, clock, DASH, mbps, ms, num, yesNo } from './format.js';
import { healthBadge, reasonList } from './health.js';

/** The protocol block as [label, value] pairs (everything except the SRT windows, which get a table). */
export function protocolPairs(conn) {
  if (conn.srt) {
    const s = conn.srt;
    return [
      ['RTT', ms(s.rttMs)],
      ['Latency', ms(s.latencyMs)],
      ['Link capacity', mbps(s.linkCapacityMbps)],
      ['Receive rate', s.mbpsReceiveRate == null ? null : mbps(s.mbpsReceiveRate)],
      ['Send rate', s.mbpsSendRate == null ? null : mbps(s.mbpsSendRate)],
      ['Packets received', s.packetsReceived],
      ['Packets sent', s.packetsSent],
      ['Recv loss / retrans / drop', `${s.packetsReceivedLoss} / ${s.packetsReceivedRetrans} / ${s.packetsReceivedDrop}`],
      ['Belated / undecrypt', `${s.packetsReceivedBelated} / ${s.packetsReceivedUndecrypt}`],
      ['Send loss / retrans / drop', `${s.packetsSendLoss} / ${s.packetsRetrans} / ${s.packetsSendDrop}`],
    ];
  }
  if (conn.rtsp) {
    const r = conn.rtsp;
    const w = r.window10s;
    return [
      ['Transport', r.transport],
      ['Profile', r.profile],
      ['Jitter', r.jitter == null ? null : num(r.jitter, 2)],
      ['RTP lost', r.rtpPacketsLost],
      ['RTP in error', r.rtpPacketsInError],
      ['RTCP in error', r.rtcpPacketsInError],
      ['RTP reported lost', r.rtpPacketsReportedLost],
      ['RTP discarded', r.rtpPacketsDiscarded],
      ['Last 10 s lost / RTP err / RTCP err', w ? `${w.rtpLost} / ${w.rtpErrors} / ${w.rtcpErrors}` : null],
    ];
  }
  if (conn.webrtc) {
    const w = conn.webrtc;
    return [
      ['Peer connection', yesNo(w.peerConnectionEstablished)],
      ['Local candidate', w.localCandidate],
      ['Remote candidate', w.remoteCandidate],
      ['Jitter', w.jitter == null ? null : num(w.jitter, 2)],
      ['RTP lost', w.rtpPacketsLost],
      ['Frames discarded', w.framesDiscarded],
      ['Last 10 s RTP lost', w.window10s ? w.window10s.rtpLost : null],
    ];
  }
  if (conn.rtmp) return [['Frames discarded', conn.rtmp.framesDiscarded]];
  if (conn.hls) {
    const x = conn.hls;
    return [
      ['Last request', x.lastRequest ? clock(x.lastRequest) : null],
      ['Frames discarded', x.framesDiscarded],
      ['CDN', yesNo(x.isCDN)],
    ];
  }
  if (conn.moq) {
    const m = conn.moq;
    return [
      ['Transport', m.transport],
      ['Version', m.version],
      ['State', m.state],
    ];
  }
  return [];
}

const WINDOW_COLUMNS = [
  ['Loss', (w) => w.loss],
  ['Retrans', (w) => w.retrans],
  ['Drop', (w) => w.drop],
  ['Belated', (w) => w.belated],
  ['Undecrypt', (w) => w.undecrypt],
  ['RTT p50', (w) => ms(w.rttP50Ms)],
  ['RTT p95', (w) => ms(w.rttP95Ms)],
];

/** The SRT sliding windows (10 s and 60 s) as a small table. */
function srtWindowTable() {
  const rows = ['window10s', 'window60s'].map((field) => {
    const label = h('th', { attrs: { scope: 'row' } });
    const cells = WINDOW_COLUMNS.map(() => h('td', { className: 'num' }));
    return { field, label, cells, el: h('tr', {}, label, ...cells) };
  });
  const el = h(
    'table',
    { className: 'window-table', hidden: true },
    h('thead', {}, h('tr', {}, h('th', {}, 'Window'), ...WINDOW_COLUMNS.map(([name]) => h('th', { className: 'num' }, name)))),
    h('tbody', {}, ...rows.map((r) => r.el)),
  );
  return {
    el,
    update(srt) {
      el.hidden = !srt || (!srt.window10s && !srt.window60s);
      if (el.hidden) return;
      for (const row of rows) {
        const w = srt[row.field];
        row.el.hidden = !w;
        if (!w) continue;
        setText(row.label, `${w.seconds} s`);
        WINDOW_COLUMNS.forEach(([, get], i) => setText(row.cells[i], get(w) ?? DASH));
      }
    },
  };
}

export function connectionCard(conn) {
  const badge = healthBadge();
  const direction = h('span', { className: 'pill' });
  const type = h('span', { className: 'conn-type' });
  const protocol = h('span', { className: 'pill pill-proto' });
  const id = h('span', { className: 'muted conn-id' });
  const main = kvList('kv kv-conn');
  const reasons = reasonList();
  const proto = kvList('kv kv-proto');
  const windows = srtWindowTable();
  const el = h(
    'article',
    { className: 'conn' },
    h('header', { className: 'conn-head' }, direction, type, protocol, badge.el, id),
    reasons.el,
    main.el,
    proto.el,
    windows.el,
  );

  function update(c) {
    setText(direction, c.direction === 'publish' ? 'source' : 'reader');
    setText(type, c.type);
    setText(protocol, c.protocol ?? '?');
    setText(id, c.id);
    badge.update(c.health);
    reasons.update(c.health);
    main.update([
      ['Remote address', c.remoteAddr],
      ['User agent', c.userAgent],
      ['Connected', c.created ? clock(c.created) : null],
      ['Bytes in', bytes(c.bytesIn)],
      ['Bytes out', bytes(c.bytesOut)],
      ['Rate in', mbps(c.rateInMbps)],
      ['Rate out', mbps(c.rateOutMbps)],
    ]);
    proto.update(protocolPairs(c));
    windows.update(c.srt);
  }
  update(conn);
  return { el, update };
}
