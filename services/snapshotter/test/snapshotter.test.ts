import express from 'express';
import Redis from 'ioredis';
import request from 'supertest';
import { FaultLog, SnapshotStore, connectRedis, keys, type SnapshotIndexEntry, type SnapshotMeta } from '@mmon/shared';
import { RedisServer, eventually, freePort } from '@mmon/test-support';
import { snapshotRoutes } from '../../api/src/routes/snapshots';
import { errorHandler } from '../../api/src/errors';
import type { SnapshotNode } from '../src/config';
import { FrameGrabber } from '../src/frameGrabber';
import { Snapshotter } from '../src/snapshotter';
import { SrtPublisher, capturingLogger, ffmpegChildren, probeJpeg, silentServer } from './helpers';

let server: RedisServer;
let redis: Redis;
let subscriber: Redis;
let messages: string[];
const running: { snapshotter: Snapshotter; publishers: SrtPublisher[]; connection: Redis }[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
  redis = new Redis(server.url);
  subscriber = new Redis(server.url);
  await subscriber.subscribe(keys.updates);
  subscriber.on('message', (_c: string, m: string) => messages.push(m));
});

beforeEach(async () => {
  await redis.flushall();
  messages = [];
});

afterEach(async () => {
  for (const { snapshotter, publishers, connection } of running.splice(0)) {
    await snapshotter.stop();
    await Promise.all(publishers.map((p) => p.stop()));
    connection.disconnect();
  }
});

afterAll(async () => {
  redis.disconnect();
  subscriber.disconnect();
  await server.stop();
});

interface Setup {
  template: string;
  /** Online streams of node "local". */
  names?: string[];
  offline?: string[];
  /** Further streams as the summaries hold them. */
  streams?: { node: string; name: string; online: boolean }[];
  /** The configured nodes; "local" on 127.0.0.1 unless told. */
  nodes?: SnapshotNode[];
  intervalMs?: number;
  timeoutMs?: number;
  concurrency?: number;
  ffmpegPath?: string;
  publishers?: SrtPublisher[];
}

async function startSnapshotter(s: Setup) {
  const streams = [
    ...(s.names ?? []).map((name) => ({ node: 'local', name, online: true })),
    ...(s.offline ?? []).map((name) => ({ node: 'local', name, online: false })),
    ...(s.streams ?? []),
  ];
  await redis.set(keys.streamsLatest, JSON.stringify(streams));
  const { logger, lines } = capturingLogger();
  const connection = connectRedis(server.url, new FaultLog(logger));
  const grabber = new FrameGrabber({ ffmpegPath: s.ffmpegPath ?? 'ffmpeg', width: 320, timeoutMs: s.timeoutMs ?? 5000, killGraceMs: 500 });
  const snapshotter = new Snapshotter(
    {
      intervalMs: s.intervalMs ?? 500,
      concurrency: s.concurrency ?? 2,
      nodes: s.nodes ?? [{ id: 'local', host: '127.0.0.1' }],
      sourceTemplate: s.template,
      maxBackoffMs: 60_000,
    },
    { redis: connection, grabber, store: new SnapshotStore(connection), logger },
  );
  running.push({ snapshotter, publishers: s.publishers ?? [], connection });
  snapshotter.start();
  return { snapshotter, grabber, lines };
}

async function index(): Promise<SnapshotIndexEntry[]> {
  if ((await redis.scard(keys.snapshotNodes)) === 0) throw new Error('no index yet');
  return JSON.parse(await new SnapshotStore(redis).index()) as SnapshotIndexEntry[];
}

async function entry(name: string, node = 'local'): Promise<SnapshotIndexEntry> {
  const found = (await index()).find((e) => e.node === node && e.name === name);
  if (!found) throw new Error(`${node} ${name} not indexed`);
  return found;
}

/** Two servers on two loopback addresses, one port: only {host} tells them apart; their test patterns differ in height. */
async function twoServers() {
  const port = await freePort();
  return {
    eu: new SrtPublisher(port, { host: '127.0.0.1', size: '640x360' }),
    us: new SrtPublisher(port, { host: '127.0.0.2', size: '640x480' }),
    template: `srt://{host}:${port}?streamid=read:{node}/{name}`,
    streams: [
      { node: 'eu', name: 'cam', online: true },
      { node: 'us', name: 'cam', online: true },
    ],
  };
}

/** The index once it lists exactly eu's and us's "cam", each with its image. */
function bothCams(): Promise<SnapshotIndexEntry[]> {
  return eventually(async () => {
    const all = await index();
    expect(all.map((e) => [e.node, e.name, e.url])).toEqual([
      ['eu', 'cam', '/api/snapshots/eu/cam.jpg'],
      ['us', 'cam', '/api/snapshots/us/cam.jpg'],
    ]);
    return all;
  }, 20000);
}

function apiApp() {
  const { logger } = capturingLogger();
  return express().use(snapshotRoutes({ redis, logger })).use(errorHandler);
}

describe('snapshotter with real ffmpeg', () => {
  it('stores a real 320 px JPEG of an SRT stream, indexes and announces it, and the API serves it', async () => {
    const publisher = new SrtPublisher(await freePort());
    const name = 'cams/front door';
    await startSnapshotter({
      template: `srt://127.0.0.1:${publisher.port}?streamid=read:{name}`,
      names: [name],
      offline: ['gone'],
      intervalMs: 1000,
      publishers: [publisher],
    });
    const e = await eventually(async () => {
      const found = await entry(name);
      expect(found).toMatchObject({ node: 'local', url: '/api/snapshots/local/cams%2Ffront%20door.jpg' });
      return found;
    }, 15000);
    expect((await index()).map((x) => x.name)).toEqual([name]);
    expect(Date.parse(e.takenAt!)).toBeGreaterThan(Date.now() - 60_000);

    const [image, meta] = await redis.hmgetBuffer(keys.snapshot('local', name), 'image', 'meta');
    expect(image!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(probeJpeg(image!)).toEqual({ width: 320, height: 180, frames: 1 });
    expect(JSON.parse(meta!.toString()) as SnapshotMeta).toEqual({ node: 'local', name, takenAt: e.takenAt });
    const ttl = await redis.pttl(keys.snapshot('local', name));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3 * 60_000);
    expect(messages.map((m) => JSON.parse(m) as { kind: string; at: string })).toContainEqual({ kind: 'snapshots', at: expect.any(String) });

    const latest = await request(apiApp()).get('/api/snapshots/latest').expect(200);
    expect(latest.body).toContainEqual(expect.objectContaining({ node: 'local', name, url: e.url }));
    const res = await request(apiApp()).get(e.url!).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['cache-control']).toBe('no-cache');
    const served = res.body as Buffer;
    expect(served.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(probeJpeg(served).width).toBe(320);
  });

  it("gives two nodes' paths of the same name a thumbnail each, taken from each node's own host; other nodes' streams are skipped", async () => {
    // Each thumbnail's height shows which server it came from.
    const { eu, us, template, streams } = await twoServers();
    const { lines } = await startSnapshotter({
      template,
      nodes: [
        { id: 'eu', host: '127.0.0.1' },
        { id: 'us', host: '127.0.0.2' },
      ],
      streams: [...streams, { node: 'ghost', name: 'cam', online: true }, { node: 'ghost', name: 'other', online: true }],
      intervalMs: 600,
      publishers: [eu, us],
    });
    const both = await bothCams();
    const thumbnail = async (node: string) => {
      const [image, meta] = await redis.hmgetBuffer(keys.snapshot(node, 'cam'), 'image', 'meta');
      return { size: probeJpeg(image!), meta: JSON.parse(meta!.toString()) as SnapshotMeta };
    };
    expect(await thumbnail('eu')).toEqual({ size: { width: 320, height: 180, frames: 1 }, meta: { node: 'eu', name: 'cam', takenAt: both[0].takenAt } });
    expect(await thumbnail('us')).toEqual({ size: { width: 320, height: 240, frames: 1 }, meta: { node: 'us', name: 'cam', takenAt: both[1].takenAt } });
    expect(await redis.exists(keys.snapshot('ghost', 'cam'))).toBe(0);

    // Several cycles later the unknown node has been logged once, and both nodes are captured again.
    await eventually(async () => expect(Date.parse((await entry('cam', 'us')).takenAt!)).toBeGreaterThan(Date.parse(both[1].takenAt!)), 15000);
    const skipped = lines.map((l) => JSON.parse(l) as { level: string; message: string; node?: string }).filter((l) => l.node === 'ghost');
    expect(skipped).toEqual([expect.objectContaining({ level: 'warn', message: 'streams of node ghost skipped: not in MEDIAMTX_NODES' })]);

    // The API serves each node's own image.
    for (const [node, height] of [['eu', 180], ['us', 240]] as const) {
      const res = await request(apiApp()).get(`/api/snapshots/${node}/cam.jpg`).buffer(true).expect(200);
      expect(probeJpeg(res.body as Buffer).height).toBe(height);
    }
  });

  it('two snapshotters, each with its own node, keep both nodes in the index', async () => {
    const { eu, us, template, streams } = await twoServers();
    await startSnapshotter({ template, nodes: [{ id: 'eu', host: '127.0.0.1' }], streams, intervalMs: 600, publishers: [eu] });
    await startSnapshotter({ template, nodes: [{ id: 'us', host: '127.0.0.2' }], streams, intervalMs: 600, publishers: [us] });
    const first = await bothCams();
    // Both keep writing; neither's cycle drops the other's entries.
    await eventually(async () => {
      const all = await index();
      expect(all.map((e) => e.node)).toEqual(['eu', 'us']);
      for (const i of [0, 1]) expect(Date.parse(all[i].takenAt!)).toBeGreaterThan(Date.parse(first[i].takenAt!));
    }, 15000);
    const latest = await request(apiApp()).get('/api/snapshots/latest').expect(200);
    expect((latest.body as SnapshotIndexEntry[]).map((e) => e.node)).toEqual(['eu', 'us']);
  });

  it('shows the error of a stream that never answers, backs it off, and keeps the others going', async () => {
    const publisher = new SrtPublisher(await freePort());
    const dead = String(await freePort());
    const good = String(publisher.port);
    // The port is the name here, so that one template reaches a live and a dead source.
    const { lines } = await startSnapshotter({
      template: 'srt://127.0.0.1:{name}?streamid=read:x',
      names: [good, dead],
      intervalMs: 600,
      timeoutMs: 2500,
      publishers: [publisher],
    });
    const failed = await eventually(async () => {
      const e = await entry(dead);
      expect(e.error).toBe('timed out after 2500 ms');
      expect(e.failures).toBeGreaterThanOrEqual(2);
      return e;
    }, 20000);
    expect(failed.url).toBeNull();
    const first = await eventually(async () => {
      const e = await entry(good);
      expect(e.url).not.toBeNull();
      expect(e.error).toBeUndefined();
      return e;
    }, 10000);
    // The live stream is captured again while the dead one keeps failing.
    await eventually(async () => expect(Date.parse((await entry(good)).takenAt!)).toBeGreaterThan(Date.parse(first.takenAt!)), 15000);
    // Back-off: the wait before the next attempt doubles with each failure.
    const later = await eventually(async () => {
      const e = await entry(dead);
      expect(e.failures).toBeGreaterThan(failed.failures!);
      return e;
    }, 20000);
    expect(Date.parse(later.retryAt!)).toBeGreaterThan(Date.parse(failed.retryAt!));
    expect(lines.filter((l) => l.includes(`capture local:${dead} failing`))).toHaveLength(1);
    await running[0].snapshotter.stop();
    expect(ffmpegChildren(publisher.pids)).toEqual([]);
  });

  it('without an ffmpeg binary, shows a clear error per stream and keeps cycling', async () => {
    await startSnapshotter({ template: 'rtsp://127.0.0.1:8554/{name}', names: ['a', 'b/c'], intervalMs: 200, ffmpegPath: '/nonexistent' });
    await eventually(async () => {
      for (const e of await index()) {
        expect(e.error).toBe('ffmpeg not found at "/nonexistent" (set FFMPEG_PATH)');
        expect(e.failures).toBeGreaterThanOrEqual(3);
        expect(e.url).toBeNull();
      }
      expect(messages.length).toBeGreaterThanOrEqual(5);
    }, 15000);
  });

  it('runs at most SNAPSHOT_CONCURRENCY ffmpeg processes, kills hung ones and leaves none on stop', async () => {
    const silent = await silentServer();
    try {
      const names = ['s1', 's2', 's3', 's4', 's5'];
      const { snapshotter, grabber } = await startSnapshotter({
        template: `rtsp://127.0.0.1:${silent.port}/{name}`,
        names,
        intervalMs: 300,
        timeoutMs: 700,
        concurrency: 2,
      });
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, ffmpegChildren().length)), 20);
      try {
        await eventually(async () => {
          const all = await index();
          expect(all.map((e) => e.name)).toEqual(names);
          for (const e of all) expect(e.error).toBe('timed out after 700 ms');
        }, 15000);
      } finally {
        clearInterval(sampler);
      }
      expect(most).toBe(2);
      await eventually(() => expect(grabber.running).toBe(2), 10000);
      await snapshotter.stop();
      expect(grabber.running).toBe(0);
      expect(ffmpegChildren()).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it('never shows the credentials of the source in the index or the logs', async () => {
    const closed = await freePort();
    const { lines } = await startSnapshotter({ template: `rtsp://admin:supersecret@127.0.0.1:${closed}/{name}`, names: ['cam'], intervalMs: 300 });
    const e = await eventually(async () => {
      const found = await entry('cam');
      expect(found.error).toMatch(/Connection refused/);
      return found;
    }, 10000);
    expect(JSON.stringify(e)).not.toContain('supersecret');
    expect(lines.join('')).toMatch(/Connection refused/);
    expect(lines.join('')).not.toContain('supersecret');
    expect(lines.join('')).toContain('***@127.0.0.1');
  });

  it('logs Redis going away once, keeps trying, and goes on when it is back', async () => {
    const { lines } = await startSnapshotter({ template: 'rtsp://127.0.0.1:8554/{name}', names: ['a'], intervalMs: 200, ffmpegPath: '/nonexistent' });
    await eventually(index, 10000);
    await server.stop();
    await eventually(() => expect(lines.join('')).toContain('streams read failing'), 10000);
    await new Promise((r) => setTimeout(r, 1000)); // several cycles against a Redis that is away
    expect(lines.filter((l) => l.includes('streams read failing'))).toHaveLength(1);
    await server.start();
    await eventually(() => redis.set(keys.streamsLatest, JSON.stringify([{ node: 'local', name: 'b', online: true }])), 10000);
    await eventually(async () => expect((await index()).map((e) => e.name)).toEqual(['b']), 10000);
    expect(lines.join('')).toContain('streams read recovered');
  });
});
