/** Ready-made scenarios: a small lively demo and a large benchmark. */
import type { ConnType } from '@mmon/shared';
import { aac, ago, connId, h264, h265, opus, trafficCounters } from './profiles';
import type { Scenario, ScenarioConn, ScenarioPath, StaticSource } from './scenario';

const LIVE_CONF = '~^live/.+$';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/**
 * A handful of streams: an SRT contribution feed (with occasional loss and retransmissions) read
 * over SRT and WebRTC, an RTMP ingest watched over HLS and WebRTC, an RTSP camera pulled by
 * MediaMTX with one RTSP viewer, a WebRTC publisher read over MoQ, and one offline path.
 * One HLS viewer's user agent carries markup, to show that it is rendered as text.
 */
export function demoScenario(now: number = Date.now()): Scenario {
  const paths: ScenarioPath[] = [
    {
      name: 'live/contribution',
      confName: LIVE_CONF,
      tracks: [h264(), aac()],
      source: {
        type: 'srtConn',
        id: connId(1),
        remoteAddr: '198.51.100.23:50123',
        created: ago(now, 95),
        query: 'streamid=publish:live/contribution',
        counters: {
          ...trafficCounters('srtConn', 'publish', 8),
          packetsReceivedLoss: { rate: 0.05 },
          bytesReceivedLoss: { rate: 0.05 * 1316 },
          packetsReceivedRetrans: { rate: 0.07 },
          bytesReceivedRetrans: { rate: 0.07 * 1316 },
          packetsReceivedDrop: { rate: 0.01 },
          bytesReceivedDrop: { rate: 0.01 * 1316 },
          packetsReceivedBelated: { rate: 0.004 },
          packetsSentNAK: { rate: 0.05 },
        },
      },
      readers: [
        {
          type: 'srtConn',
          id: connId(2),
          remoteAddr: '203.0.113.40:40012',
          created: ago(now, 80),
          query: 'streamid=read:live/contribution',
          counters: {
            ...trafficCounters('srtConn', 'read', 8),
            packetsSendLoss: { rate: 0.03 },
            packetsRetrans: { rate: 0.03 },
            bytesRetrans: { rate: 0.03 * 1316 },
            packetsReceivedNAK: { rate: 0.03 },
          },
        },
        {
          type: 'webRTCSession',
          id: connId(3),
          remoteAddr: '203.0.113.77:54321',
          created: ago(now, 12),
          userAgent: CHROME,
          localCandidate: 'host/udp/192.0.2.10/8189',
          remoteCandidate: 'prflx/udp/203.0.113.77/54321',
          counters: { ...trafficCounters('webRTCSession', 'read', 8), inboundRTPPacketsLost: { rate: 0.02 } },
        },
      ],
    },
    {
      name: 'live/studio',
      confName: LIVE_CONF,
      tracks: [h264(1280, 720), aac()],
      source: {
        type: 'rtmpConn',
        id: connId(4),
        remoteAddr: '198.51.100.8:61002',
        created: ago(now, 240),
        userAgent: 'FMLE/3.0 (compatible; obs-studio/30.1.2; FMSc/1.0)',
        counters: trafficCounters('rtmpConn', 'publish', 4.5),
      },
      readers: [
        {
          type: 'hlsSession',
          id: connId(5),
          remoteAddr: '203.0.113.91:49822',
          created: ago(now, 33),
          userAgent: 'VLC/3.0.20 LibVLC/3.0.20 <img src=x onerror=alert(1)>',
          counters: trafficCounters('hlsSession', 'read', 4.5),
        },
        {
          type: 'webRTCSession',
          id: connId(6),
          remoteAddr: '203.0.113.15:60110',
          created: ago(now, 5),
          userAgent: FIREFOX,
          localCandidate: 'host/udp/192.0.2.10/8189',
          remoteCandidate: 'srflx/udp/203.0.113.15/60110',
          counters: trafficCounters('webRTCSession', 'read', 4.5),
        },
      ],
      hlsMuxer: { created: ago(now, 33), counters: { outboundFramesDiscarded: { rate: 0.02 } } },
    },
    {
      name: 'cam/entrance',
      confName: 'cam/entrance',
      tracks: [h264(1280, 720)],
      source: { type: 'rtspSource', since: ago(now, 600) },
      counters: { inboundBytes: { rate: 2 * 125_000 } },
      readers: [
        {
          type: 'rtspSession',
          id: connId(7),
          remoteAddr: '192.0.2.55:51034',
          created: ago(now, 42),
          userAgent: 'LibVLC/3.0.20 (LIVE555 Streaming Media v2016.11.28)',
          transport: 'UDP',
          profile: 'AVP',
          counters: { ...trafficCounters('rtspSession', 'read', 2), outboundRTPPacketsReportedLost: { rate: 0.02 } },
        },
      ],
    },
    {
      name: 'live/webcam',
      confName: LIVE_CONF,
      tracks: [h264(1280, 720), opus()],
      source: {
        type: 'webRTCSession',
        id: connId(8),
        remoteAddr: '198.51.100.61:53211',
        created: ago(now, 18),
        userAgent: CHROME,
        localCandidate: 'host/udp/192.0.2.10/8189',
        remoteCandidate: 'srflx/udp/198.51.100.61/53211',
        counters: trafficCounters('webRTCSession', 'publish', 2.5),
      },
      readers: [
        {
          type: 'moqSession',
          id: connId(9),
          remoteAddr: '203.0.113.120:4433',
          created: ago(now, 3),
          userAgent: CHROME,
          transport: 'webtransport',
          version: 'moqt-16',
          counters: trafficCounters('moqSession', 'read', 2.5),
        },
      ],
    },
    { name: 'live/backup', confName: LIVE_CONF, tracks: [h264()] },
  ];
  return { paths };
}

type Publisher = ConnType | StaticSource['type'] | null;

const PUBLISHERS: readonly Publisher[] = [
  'srtConn',
  'rtmpConn',
  'rtspSession',
  'webRTCSession',
  'rtspSource',
  'rtmpsConn',
  'srtConn',
  'rtspsSession',
  'moqSession',
  'hlsSource',
  'srtConn',
  'rtmpConn',
  'webRTCSession',
  'srtConn',
  'rtspSource',
  'rtmpConn',
  'srtConn',
  'rtspSession',
  'webRTCSession',
  null,
];

const READERS: readonly ConnType[] = [
  'hlsSession',
  'webRTCSession',
  'rtspSession',
  'srtConn',
  'rtmpConn',
  'rtspsSession',
  'rtmpsConn',
  'moqSession',
];

function isConnType(type: Exclude<Publisher, null>): type is ConnType {
  return !type.endsWith('Source');
}

/**
 * `pathCount` paths named bench/cam-00000 ..., publishing over every protocol (one in 20
 * offline), each online path with `readersPerPath` readers of mixed protocols.
 */
export function benchScenario(pathCount: number, readersPerPath: number, now: number = Date.now()): Scenario {
  const paths: ScenarioPath[] = [];
  let nextId = 1000;
  const conn = (type: ConnType, role: 'publish' | 'read', mbps: number, n: number, minutesAgo: number): ScenarioConn => ({
    type,
    id: connId(nextId++),
    remoteAddr: `198.51.100.${n % 250}:${20000 + (n % 40000)}`,
    created: ago(now, minutesAgo),
    userAgent: type === 'webRTCSession' || type === 'hlsSession' ? CHROME : '',
    counters: trafficCounters(type, role, mbps),
  });
  for (let i = 0; i < pathCount; i++) {
    const publisher = PUBLISHERS[i % PUBLISHERS.length];
    const mbps = 2 + (i % 7);
    const path: ScenarioPath = {
      name: `bench/cam-${String(i).padStart(5, '0')}`,
      confName: '~^bench/',
      tracks: i % 3 === 0 ? [h265(), aac()] : [h264(), aac()],
    };
    if (publisher !== null) {
      const online = 1 + (i % 300);
      if (isConnType(publisher)) path.source = conn(publisher, 'publish', mbps, i, online);
      else {
        path.source = { type: publisher, since: ago(now, online) };
        path.counters = { inboundBytes: { rate: mbps * 125_000 } };
      }
      path.readers = [];
      for (let j = 0; j < readersPerPath; j++) {
        const type = READERS[(i * readersPerPath + j) % READERS.length];
        path.readers.push(conn(type, 'read', mbps, i * 31 + j, (online * (j + 1)) / (readersPerPath + 1)));
      }
    }
    paths.push(path);
  }
  return { paths };
}
