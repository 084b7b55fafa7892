import { execFileSync } from 'node:child_process';
import type Redis from 'ioredis';
import {
  SnapshotStore,
  StreamStore,
  keys,
  snapshotImageUrl,
  toDetailPart,
  toSummary,
  type CollectorStatus,
  type Connection,
  type SnapshotIndexEntry,
  type SrtWindow,
  type Stream,
} from '@mmon/shared';
import { collectorStatus as sharedCollectorStatus } from '@mmon/test-support';

/** What the dashboard's data looks like in Redis; written the way collector, sysmon and snapshotter write it. */

/** Times are relative to the module's start, so that the same fixture written twice is the same data (no spurious deltas). */
const START = Date.now();
const ago = (ms: number) => new Date(START - ms).toISOString();

export function srtWindow(seconds: number, overrides: Partial<SrtWindow> = {}): SrtWindow {
  return { seconds, loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0, rttP50Ms: 0.4, rttP95Ms: 0.9, ...overrides };
}

export function srtSource(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    type: 'srtConn',
    protocol: 'srt',
    direction: 'publish',
    remoteAddr: '127.0.0.1:40123',
    userAgent: null,
    created: ago(3_600_000),
    bytesIn: 873_000_000,
    bytesOut: 0,
    rateInMbps: 1.94,
    rateOutMbps: 0,
    health: { level: 'ok', reasons: [] },
    srt: {
      rttMs: 0.36,
      linkCapacityMbps: 1808.58,
      latencyMs: 120,
      mbpsReceiveRate: 1.94,
      mbpsSendRate: 0,
      packetsReceived: 812_345,
      packetsSent: 1200,
      packetsReceivedLoss: 14,
      packetsReceivedRetrans: 9,
      packetsReceivedDrop: 3,
      packetsReceivedBelated: 0,
      packetsReceivedUndecrypt: 0,
      packetsSendLoss: 0,
      packetsRetrans: 0,
      packetsSendDrop: 0,
      window10s: srtWindow(10, { drop: 3, loss: 5, retrans: 4, rttP50Ms: 0.35, rttP95Ms: 0.8 }),
      window60s: srtWindow(60, { drop: 3, loss: 14, retrans: 9 }),
    },
    ...overrides,
  };
}

export function hlsReader(id: string, userAgent: string | null, overrides: Partial<Connection> = {}): Connection {
  return {
    id,
    type: 'hlsSession',
    protocol: 'hls',
    direction: 'read',
    remoteAddr: '127.0.0.1:52001',
    userAgent,
    created: ago(120_000),
    bytesIn: 0,
    bytesOut: 12_500_000,
    rateInMbps: 0,
    rateOutMbps: 1.9,
    health: { level: 'ok', reasons: [] },
    hls: { lastRequest: ago(1000), framesDiscarded: null, isCDN: false },
    ...overrides,
  };
}

export function stream(node: string, name: string, overrides: Partial<Stream> = {}): Stream {
  return {
    node,
    name,
    confName: 'all_others',
    online: true,
    onlineSince: ago(5_400_000),
    offlineSince: null,
    sourceType: 'srtConn',
    tracks: ['H264', 'MPEG-4 Audio'],
    video: { codec: 'H264', width: 1920, height: 1080 },
    bytesReceived: 873_000_000,
    bytesSent: 25_000_000,
    readers: 0,
    rtt: 0.36,
    recvRateMbps: 1.94,
    sendRateMbps: 0,
    linkCapacityMbps: 1808.58,
    srt10s: { loss: 5, retrans: 4, drop: 3, belated: 0, undecrypt: 0 },
    inboundFramesInError: 0,
    source: srtSource(),
    readerList: [],
    health: { level: 'ok', reasons: [] },
    ...overrides,
  };
}

export function offlineStream(node: string, name: string): Stream {
  return stream(node, name, {
    online: false,
    onlineSince: null,
    offlineSince: ago(300_000),
    sourceType: null,
    tracks: [],
    video: null,
    srt10s: null,
    rtt: null,
    recvRateMbps: null,
    sendRateMbps: null,
    linkCapacityMbps: null,
    source: null,
  });
}

export function collectorStatus(node: string, streams: number, overrides: Partial<CollectorStatus> = {}): CollectorStatus {
  return sharedCollectorStatus(node, {
    intervalMs: 60_000,
    effectiveIntervalMs: 60_000,
    detailRefreshMs: 60_000,
    itemsSkipped: 0,
    itemsRepaired: 0,
    streams,
    online: streams,
    ...overrides,
  });
}

export function systemSample(overrides: Record<string, unknown> = {}) {
  return {
    cpu_percent: 37.5,
    cpu_per_core: [52.1, 18.4, 71.9, 7.7],
    ram_used_mb: 2842,
    ram_total_mb: 7936,
    swap_used_mb: 0,
    swap_total_mb: 2048,
    net_in_mbps: 48.2,
    net_out_mbps: 131.7,
    load_avg: [1.21, 0.98, 0.77],
    temperature_c: 54.5,
    disks: [{ mount: '/', size_mb: 120_000, used_mb: 61_000, percent: 51.2 }],
    uptime_s: 1_209_600,
    hostname: 'media-01',
    sampledAt: new Date().toISOString(),
    intervalMs: 60_000,
    containers: [
      { name: 'mmon-api-1', id: 'a1b2c3d4e5f6', image: 'mmon/api', service: 'api', state: 'running', health: 'healthy', restart_count: 0, cpu_percent: 3.2, mem_used_mb: 84, mem_limit_mb: 512, net_in_mbps: 0.4, net_out_mbps: 6.1 },
      { name: 'mmon-redis-1', id: 'b1b2c3d4e5f6', image: 'redis:7', service: 'redis', state: 'running', health: null, restart_count: 0, cpu_percent: 0.8, mem_used_mb: 12, mem_limit_mb: null, net_in_mbps: 0.2, net_out_mbps: 0.3 },
    ],
    ...overrides,
  };
}

/** A real JPEG test picture from ffmpeg's test source (the width tells two pictures apart). */
export function testJpeg(width = 320): Buffer {
  const size = `${width}x${Math.round((width * 9) / 16)}`;
  return execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=1`, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', '-'], {
    maxBuffer: 4 * 1024 * 1024,
  });
}

/**
 * Writes the streams the way collectors do, one StreamStore.publishNode per node (summaries, every
 * stream's detail, status, the merged summaries and the announcement), so the api computes its
 * deltas from real node updates. Nodes that have written before and have no stream now publish an
 * empty list.
 */
export async function writeStreams(redis: Redis, streams: Stream[], collectedAt = new Date().toISOString()): Promise<void> {
  const store = new StreamStore(redis, 300);
  const nodes = new Set([...(await redis.smembers(keys.nodes)), ...streams.map((s) => s.node)]);
  for (const node of [...nodes].sort()) {
    const mine = streams.filter((s) => s.node === node);
    const detail = { mode: 'replace' as const, entries: mine.map((s): [string, string] => [s.name, JSON.stringify(toDetailPart(s))]) };
    await store.publishNode(collectorStatus(node, mine.length), JSON.stringify(mine.map(toSummary)), detail, collectedAt, Date.now());
  }
}

export async function writeSystem(redis: Redis, sample: object): Promise<void> {
  await redis.set(keys.systemLatest, JSON.stringify(sample));
  await redis.publish(keys.updates, JSON.stringify({ kind: 'system', at: new Date().toISOString() }));
}

/** A stream's thumbnail: its image (or the snapshotter's error). */
export type SnapshotFixture = { node: string; name: string } & ({ jpeg: Buffer } | { error: string });

/** Stores the images under node and name and the index entries, as the snapshotter does. */
export async function writeSnapshots(redis: Redis, items: SnapshotFixture[]): Promise<void> {
  const takenAt = new Date().toISOString();
  const store = new SnapshotStore(redis);
  const byNode = new Map<string, SnapshotIndexEntry[]>();
  for (const item of items) {
    const { node, name } = item;
    if (!byNode.has(node)) byNode.set(node, []);
    if ('jpeg' in item) {
      await store.saveImage(item.jpeg, { node, name, takenAt }, 3_600_000);
      byNode.get(node)!.push({ node, name, takenAt, url: snapshotImageUrl(node, name) });
    } else byNode.get(node)!.push({ node, name, takenAt: null, url: null, error: item.error, failures: 3 });
  }
  await store.publishIndex(byNode, 3_600_000, takenAt);
}

export const XSS_USER_AGENT = '<img src=x onerror=window.__xss=1>';

/** A small but varied picture: two nodes, SRT/RTMP/RTSP/WebRTC sources, ok/warn/crit, one offline stream. */
export function demoStreams(): Stream[] {
  return [
    stream('node-a', 'cam/studio-a', {
      readers: 2,
      sendRateMbps: 3.9,
      readerList: [
        hlsReader('d00d0000-0000-4000-8000-000000000001', XSS_USER_AGENT),
        hlsReader('d00d0000-0000-4000-8000-000000000002', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0', { remoteAddr: '127.0.0.1:52002' }),
      ],
    }),
    stream('node-a', 'cam/studio-b', {
      recvRateMbps: 4.82,
      rtt: 23.4,
      linkCapacityMbps: 96.3,
      health: { level: 'warn', reasons: ['SRT drop 3 packets in 10 s'] },
      source: srtSource({ health: { level: 'warn', reasons: ['SRT drop 3 packets in 10 s'] } }),
    }),
    stream('node-a', 'event/main', {
      sourceType: 'rtmpConn',
      rtt: null,
      linkCapacityMbps: null,
      recvRateMbps: 6.1,
      readers: 14,
      sendRateMbps: 85.4,
      source: srtSource({ id: 'r1', type: 'rtmpConn', protocol: 'rtmp', srt: undefined, rtmp: { framesDiscarded: 0 } }),
    }),
    stream('node-a', 'webrtc/guest', {
      sourceType: 'webRTCSession',
      tracks: ['VP8', 'Opus'],
      rtt: null,
      linkCapacityMbps: null,
      recvRateMbps: 1.2,
      source: srtSource({
        id: 'w1',
        type: 'webRTCSession',
        protocol: 'webrtc',
        srt: undefined,
        webrtc: { peerConnectionEstablished: true, localCandidate: '127.0.0.1:8189/udp/host', remoteCandidate: '127.0.0.1:61000/udp/host', jitter: 0.4, rtpPacketsLost: 0, framesDiscarded: 0, window10s: { rtpLost: 0 } },
      }),
    }),
    stream('node-b', 'lobby', {
      sourceType: 'rtspSession',
      tracks: ['H265'],
      rtt: null,
      linkCapacityMbps: null,
      recvRateMbps: 0.31,
      readers: 1,
      health: { level: 'crit', reasons: ['RTP lost 120 packets in 10 s', 'receive rate 0.31 Mbit/s below 0.5'] },
      source: srtSource({
        id: 'p1',
        type: 'rtspSession',
        protocol: 'rtsp',
        srt: undefined,
        rtsp: { transport: 'UDP', profile: 'AVP', rtpPacketsLost: 1200, rtpPacketsInError: 0, rtcpPacketsInError: 0, jitter: 3.2, rtpPacketsReportedLost: 0, rtpPacketsDiscarded: 0, window10s: { rtpLost: 120, rtpErrors: 0, rtcpErrors: 0 } },
        health: { level: 'crit', reasons: ['RTP lost 120 packets in 10 s'] },
      }),
    }),
    offlineStream('node-b', 'backup'),
  ];
}
