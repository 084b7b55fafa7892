import type { RawConn, RawPath } from '@mmon/shared';
import { normalize } from '../src/normalize';
import { snapshot, srtConn, srtPath } from './fixtures';

const opts = { node: 'eu-1', excludePrefixes: [] as string[] };

describe('normalize: paths', () => {
  test('one stream per path, sorted by name, with the node; excluded prefixes dropped', () => {
    const raw = snapshot([{ name: 'zeta' }, { name: 'internal/cam' }, { name: 'alpha' }, { name: 'beta' }, { name: 'test-x' }]);
    const streams = normalize(raw, { node: 'eu-1', excludePrefixes: ['internal/', 'test-', ''] });
    expect(streams.map((s) => s.name)).toEqual(['alpha', 'beta', 'zeta']);
    expect(streams.every((s) => s.node === 'eu-1')).toBe(true);
  });

  test('current field names (v1.20): online, onlineTime, inbound/outboundBytes, tracks2', () => {
    const [s] = normalize(
      snapshot([
        {
          name: 'cam1',
          confName: 'all_others',
          source: { type: 'rtmpConn', id: 'r1' },
          online: true,
          onlineTime: '2026-11-24T05:00:00Z',
          ready: false,
          readyTime: '2000-01-01T00:00:00Z',
          tracks2: [{ codec: 'H264', codecProps: { width: 1920 } }, { codec: 'Opus' }],
          tracks: ['VP8'],
          inboundBytes: 3413148,
          bytesReceived: 1,
          outboundBytes: 1000,
          bytesSent: 2,
          inboundFramesInError: 4,
          readers: [],
        },
      ]),
      opts,
    );
    expect(s).toMatchObject({
      name: 'cam1',
      confName: 'all_others',
      online: true,
      onlineSince: '2026-11-24T05:00:00Z',
      offlineSince: null,
      sourceType: 'rtmpConn',
      tracks: ['H264', 'Opus'],
      bytesReceived: 3413148,
      bytesSent: 1000,
      inboundFramesInError: 4,
      readers: 0,
      rtt: null,
      recvRateMbps: null,
      sendRateMbps: null,
      linkCapacityMbps: null,
      readerList: [],
      health: { level: 'ok', reasons: [] },
    });
  });

  test('legacy field names (older releases): ready, readyTime, bytesReceived, bytesSent, tracks', () => {
    const [s] = normalize(
      snapshot([
        {
          name: 'old',
          source: { type: 'rtspSession', id: 'x' },
          ready: true,
          readyTime: '2024-01-01T00:00:00Z',
          tracks: ['H264', 'MPEG-4 Audio'],
          bytesReceived: 500,
          bytesSent: 700,
          readers: [],
        },
      ]),
      opts,
    );
    expect(s).toMatchObject({
      online: true,
      onlineSince: '2024-01-01T00:00:00Z',
      tracks: ['H264', 'MPEG-4 Audio'],
      bytesReceived: 500,
      bytesSent: 700,
      inboundFramesInError: 0,
    });
  });

  test('zeros and false stay as they are (no fallback to the deprecated field)', () => {
    const [s] = normalize(
      snapshot([{ name: 'z', online: false, ready: true, inboundBytes: 0, bytesReceived: 9, outboundBytes: 0, bytesSent: 9 }]),
      opts,
    );
    expect(s).toMatchObject({ online: false, bytesReceived: 0, bytesSent: 0 });
  });

  test('missing fields never throw and give nulls, zeros and empty lists; a path without a name is skipped and counted', () => {
    const broken = { paths: [{}, null, { name: 'n', readers: [null, { type: 'srtConn' }], tracks2: [{}, null] }, { name: 'bare' }] };
    const audit = { skipped: 0, repaired: 0 };
    const streams = normalize(broken as never, { ...opts, audit });
    expect(streams.map((s) => s.name)).toEqual(['bare', 'n']);
    expect(audit).toEqual({ skipped: 3, repaired: 0 }); // {}, null and the null reader
    expect(streams[0]).toEqual({
      node: 'eu-1',
      name: 'bare',
      confName: null,
      online: false,
      onlineSince: null,
      offlineSince: null,
      sourceType: null,
      tracks: [],
      video: null,
      bytesReceived: 0,
      bytesSent: 0,
      readers: 0,
      rtt: null,
      recvRateMbps: null,
      sendRateMbps: null,
      linkCapacityMbps: null,
      srt10s: null,
      inboundFramesInError: 0,
      source: null,
      readerList: [],
      health: { level: 'ok', reasons: [] },
    });
    expect(streams[1].tracks).toEqual([]);
    expect(streams[1].readers).toBe(1);
    expect(streams[1].readerList[0]).toMatchObject({ type: 'srtConn', id: '', protocol: 'srt', direction: 'read' });
  });
});

describe('normalize: connections per protocol', () => {
  test('SRT: publisher and reader with native figures; latency per direction; stream rtt/capacity/rate from the source', () => {
    const pub = srtConn('pub', 'cam', 'publish', { rtt: 0.36, bytesReceived: 1234, bytesSent: 56, mbpsReceiveRate: 1.94, mbpsSendRate: 0.01, drop: 2 });
    const reader = { ...srtConn('rd', 'cam', 'read', { sendLoss: 5, sendRetrans: 6, sendDrop: 7, bytesSent: 999 }), userAgent: '' };
    const [s] = normalize(snapshot([srtPath('cam', 'pub', ['rd'])], { srtConn: [pub, reader] }), opts);
    expect(s).toMatchObject({ sourceType: 'srtConn', rtt: 0.36, linkCapacityMbps: 900, recvRateMbps: 1.94, readers: 1 });
    expect(s.source).toEqual({
      id: 'pub',
      type: 'srtConn',
      protocol: 'srt',
      direction: 'publish',
      remoteAddr: '127.0.0.1:40000',
      userAgent: null,
      created: '2026-11-24T05:00:00Z',
      bytesIn: 1234,
      bytesOut: 56,
      rateInMbps: null,
      rateOutMbps: null,
      health: { level: 'ok', reasons: [] },
      srt: {
        rttMs: 0.36,
        linkCapacityMbps: 900,
        latencyMs: 120,
        mbpsReceiveRate: 1.94,
        mbpsSendRate: 0.01,
        packetsReceived: 0,
        packetsSent: 0,
        packetsReceivedLoss: 0,
        packetsReceivedRetrans: 0,
        packetsReceivedDrop: 2,
        packetsReceivedBelated: 0,
        packetsReceivedUndecrypt: 0,
        packetsSendLoss: 0,
        packetsRetrans: 0,
        packetsSendDrop: 0,
        window10s: null,
        window60s: null,
      },
    });
    const r = s.readerList[0];
    expect(r).toMatchObject({ id: 'rd', direction: 'read', userAgent: null, bytesOut: 999 });
    expect(r.srt).toMatchObject({ latencyMs: 200, packetsSendLoss: 5, packetsRetrans: 6, packetsSendDrop: 7, mbpsReceiveRate: null });
  });

  test('SRT: zero RTT and zero capacity stay zero', () => {
    const pub = { ...srtConn('pub', 'cam', 'publish'), msRTT: 0, mbpsLinkCapacity: 0, mbpsReceiveRate: 0 };
    const [s] = normalize(snapshot([srtPath('cam', 'pub')], { srtConn: [pub] }), opts);
    expect(s).toMatchObject({ rtt: 0, linkCapacityMbps: 0, recvRateMbps: 0 });
  });

  test('RTSP and RTSPS sessions: current names, and the deprecated names of older releases', () => {
    const current: RawConn = {
      id: 'pub',
      created: '2026-11-24T05:00:00Z',
      remoteAddr: '10.0.0.1:5000',
      state: 'publish',
      path: 'cam',
      transport: 'UDP',
      profile: 'AVP',
      userAgent: 'ffmpeg/Lavf61',
      inboundBytes: 1000,
      outboundBytes: 20,
      bytesReceived: 1,
      inboundRTPPacketsLost: 0,
      rtpPacketsLost: 99,
      inboundRTPPacketsInError: 3,
      inboundRTCPPacketsInError: 4,
      inboundRTPPacketsJitter: 0,
      outboundRTPPacketsReportedLost: 5,
      outboundRTPPacketsDiscarded: 6,
    };
    const legacy: RawConn = {
      id: 'rd',
      state: 'read',
      transport: 'TCP',
      bytesReceived: 10,
      bytesSent: 5000,
      rtpPacketsLost: 7,
      rtpPacketsInError: 8,
      rtcpPacketsInError: 9,
      rtpPacketsJitter: 1.5,
    };
    const path: RawPath = {
      name: 'cam',
      online: true,
      source: { type: 'rtspSession', id: 'pub' },
      readers: [{ type: 'rtspsSession', id: 'rd' }],
    };
    const [s] = normalize(snapshot([path], { rtspSession: [current], rtspsSession: [legacy] }), opts);
    expect(s.source).toMatchObject({ protocol: 'rtsp', userAgent: 'ffmpeg/Lavf61', bytesIn: 1000, bytesOut: 20 });
    expect(s.source?.rtsp).toEqual({
      transport: 'UDP',
      profile: 'AVP',
      rtpPacketsLost: 0,
      rtpPacketsInError: 3,
      rtcpPacketsInError: 4,
      jitter: 0,
      rtpPacketsReportedLost: 5,
      rtpPacketsDiscarded: 6,
      window10s: null,
    });
    const r = s.readerList[0];
    expect(r).toMatchObject({ protocol: 'rtsps', direction: 'read', bytesIn: 10, bytesOut: 5000, remoteAddr: null, created: null });
    expect(r.rtsp).toEqual({
      transport: 'TCP',
      profile: null,
      rtpPacketsLost: 7,
      rtpPacketsInError: 8,
      rtcpPacketsInError: 9,
      jitter: 1.5,
      rtpPacketsReportedLost: 0,
      rtpPacketsDiscarded: 0,
      window10s: null,
    });
  });

  test('WebRTC session', () => {
    const session: RawConn = {
      id: 'w1',
      state: 'read',
      peerConnectionEstablished: false,
      localCandidate: 'host/udp/127.0.0.1/8189',
      remoteCandidate: 'prflx/udp/127.0.0.1/50000',
      inboundBytes: 0,
      outboundBytes: 12345,
      inboundRTPPacketsLost: 0,
      rtpPacketsLost: 4,
      rtpPacketsJitter: 0.25,
      outboundFramesDiscarded: 2,
      userAgent: 'Mozilla/5.0',
    };
    const [s] = normalize(snapshot([{ name: 'p', readers: [{ type: 'webRTCSession', id: 'w1' }] }], { webRTCSession: [session] }), opts);
    const r = s.readerList[0];
    expect(r).toMatchObject({ protocol: 'webrtc', bytesIn: 0, bytesOut: 12345, userAgent: 'Mozilla/5.0' });
    expect(r.webrtc).toEqual({
      peerConnectionEstablished: false,
      localCandidate: 'host/udp/127.0.0.1/8189',
      remoteCandidate: 'prflx/udp/127.0.0.1/50000',
      jitter: 0.25,
      rtpPacketsLost: 0,
      framesDiscarded: 2,
      window10s: null,
    });
  });

  test('RTMP and RTMPS connections', () => {
    const path: RawPath = {
      name: 'live',
      online: true,
      source: { type: 'rtmpConn', id: 'a' },
      readers: [{ type: 'rtmpsConn', id: 'b' }],
    };
    const [s] = normalize(
      snapshot([path], {
        rtmpConn: [{ id: 'a', state: 'publish', inboundBytes: 77, outboundFramesDiscarded: 0 }],
        rtmpsConn: [{ id: 'b', state: 'read', bytesSent: 88, outboundFramesDiscarded: 3 }],
      }),
      opts,
    );
    expect(s.source).toMatchObject({ protocol: 'rtmp', bytesIn: 77, rtmp: { framesDiscarded: 0 } });
    expect(s.readerList[0]).toMatchObject({ protocol: 'rtmps', bytesOut: 88, rtmp: { framesDiscarded: 3 } });
  });

  test('HLS sessions carry isCDN and the path muxer figures; without a muxer those are null', () => {
    const paths: RawPath[] = [
      { name: 'a', readers: [{ type: 'hlsSession', id: 'h1' }, { type: 'hlsSession', id: 'h2' }] },
      { name: 'b', readers: [{ type: 'hlsSession', id: 'h3' }] },
    ];
    const [a, b] = normalize(
      snapshot(
        paths,
        {
          hlsSession: [
            { id: 'h1', path: 'a', isCDN: false, outboundBytes: 10 },
            { id: 'h2', path: 'a', isCDN: true, outboundBytes: 0 },
            { id: 'h3', path: 'b', outboundBytes: 5 },
          ],
        },
        [{ path: 'a', lastRequest: '2026-11-24T05:01:00Z', outboundFramesDiscarded: 0, outboundBytes: 15 }],
      ),
      opts,
    );
    expect(a.readerList.map((r) => r.hls)).toEqual([
      { lastRequest: '2026-11-24T05:01:00Z', framesDiscarded: 0, isCDN: false },
      { lastRequest: '2026-11-24T05:01:00Z', framesDiscarded: 0, isCDN: true },
    ]);
    expect(a.readerList.map((r) => r.bytesOut)).toEqual([10, 0]);
    expect(b.readerList[0]).toMatchObject({ protocol: 'hls', bytesOut: 5, hls: { lastRequest: null, framesDiscarded: null, isCDN: null } });
  });

  test('MoQ session', () => {
    const [s] = normalize(
      snapshot([{ name: 'm', online: true, source: { type: 'moqSession', id: 'q' } }], {
        moqSession: [{ id: 'q', state: 'publish', transport: 'webtransport', version: 'moqt-16', inboundBytes: 42 }],
      }),
      opts,
    );
    expect(s.source).toMatchObject({
      protocol: 'moq',
      bytesIn: 42,
      moq: { transport: 'webtransport', version: 'moqt-16', state: 'publish' },
    });
  });

  test('a referenced connection missing from its list, a pulled source and an unknown type: what is known, no protocol block', () => {
    const paths: RawPath[] = [
      { name: 'gone', online: true, source: { type: 'srtConn', id: 'vanished' }, readers: [{ type: 'webRTCSession', id: 'w-missing' }] },
      { name: 'pulled', online: true, source: { type: 'rtspSource', id: '' } },
      { name: 'pi', online: true, source: { type: 'rpiCameraSource' } },
    ];
    const [gone, pi, pulled] = normalize(snapshot(paths), opts);
    expect(gone.source).toEqual({
      id: 'vanished',
      type: 'srtConn',
      protocol: 'srt',
      direction: 'publish',
      remoteAddr: null,
      userAgent: null,
      created: null,
      bytesIn: 0,
      bytesOut: 0,
      rateInMbps: null,
      rateOutMbps: null,
      health: { level: 'ok', reasons: [] },
    });
    expect(gone.rtt).toBeNull();
    expect(gone.readerList[0]).toMatchObject({ id: 'w-missing', protocol: 'webrtc', direction: 'read' });
    expect(gone.readerList[0].webrtc).toBeUndefined();
    expect(pulled.source).toMatchObject({ type: 'rtspSource', protocol: 'rtsp', direction: 'publish' });
    expect(pulled.sourceType).toBe('rtspSource');
    expect(pi.source).toMatchObject({ type: 'rpiCameraSource', id: '', protocol: null });
  });

  test.each([
    ['srtConn', 'srt'],
    ['rtmpConn', 'rtmp'],
    ['rtmpsConn', 'rtmps'],
    ['rtspSession', 'rtsp'],
    ['rtspsSession', 'rtsps'],
    ['webRTCSession', 'webrtc'],
    ['hlsSession', 'hls'],
    ['moqSession', 'moq'],
    ['rtspSource', 'rtsp'],
    ['rtmpSource', 'rtmp'],
    ['srtSource', 'srt'],
    ['webRTCSource', 'webrtc'],
    ['hlsSource', 'hls'],
    ['moqSource', 'moq'],
    ['redirect', null],
    ['mpegtsSource', null],
    ['constructor', null],
  ])('type %s -> protocol %s', (type, protocol) => {
    const [s] = normalize(snapshot([{ name: 'p', source: { type, id: '1' } }]), opts);
    expect(s.source?.protocol).toBe(protocol);
  });
});
