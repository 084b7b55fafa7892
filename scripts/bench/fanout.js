// WebSocket fan-out benchmark: the api process (services/api/dist) with N WebSocket clients that
// negotiate permessage-deflate as browsers do, while one node's S stream summaries are published
// through the real StreamStore once a second with realistic changes (bytes and rates of every
// online stream, RTT of the SRT ones, now and then readers and health). A tenth of the clients
// follow one stream's detail, as a dashboard with a stream opened does.
// Measures the api process's CPU (from /proc/<pid>/stat) and what one client receives per second
// (on the wire, and after decompression). Starts its own redis-server.
// Env: BENCH_FANOUT_CLIENTS (500), BENCH_FANOUT_STREAMS (1000), BENCH_FANOUT_SECONDS (20),
//      BENCH_FANOUT_DEFLATE (1; 0: the clients do not offer permessage-deflate).
const { spawn } = require('node:child_process');
const path = require('node:path');
const Redis = require('ioredis');
const WebSocket = require('ws');
const { StreamStore, keys } = require('@mmon/shared');
const { freePort, sleep, waitPort, startRedis, cpuSeconds, rssMb } = require('./support');

const CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 500);
const STREAMS = Number(process.env.BENCH_FANOUT_STREAMS ?? 1000);
const SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 20);
const DEFLATE = process.env.BENCH_FANOUT_DEFLATE !== '0';
const NODE = 'fanout';
const ROOT = path.resolve(__dirname, '../..');

/** The streams of a busy node: mixed protocols, one in 20 offline. */
function makeStreams() {
  const types = ['srtConn', 'rtmpConn', 'rtspSession', 'webRTCSession'];
  return Array.from({ length: STREAMS }, (_, i) => {
    const online = i % 20 !== 19;
    const sourceType = online ? types[i % types.length] : null;
    const srt = sourceType === 'srtConn';
    return {
      node: NODE,
      name: `live/cam-${String(i).padStart(4, '0')}`,
      confName: 'all_others',
      online,
      onlineSince: online ? '2026-11-24T05:00:00.000Z' : null,
      offlineSince: online ? null : '2026-11-24T05:10:00.000Z',
      sourceType,
      tracks: online ? ['H264', 'MPEG-4 Audio'] : [],
      video: online ? { codec: 'H264', width: 1920, height: 1080 } : null,
      bytesReceived: online ? 1e9 + i * 7919 : 0,
      bytesSent: online ? 2e9 + i * 104729 : 0,
      readers: online ? 2 : 0,
      rtt: srt ? 2.1 : null,
      recvRateMbps: online ? 4 : null,
      sendRateMbps: online ? 8 : null,
      linkCapacityMbps: srt ? 1808.58 : null,
      srt10s: srt ? { loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 } : null,
      health: online ? { level: 'ok', reasons: [] } : { level: 'crit', reasons: ['offline'] },
    };
  });
}

/** One second later: what a collector's cycle changes. */
function tick(streams, cycle) {
  for (const [i, s] of streams.entries()) {
    if (!s.online) continue;
    s.recvRateMbps = 4 + Math.random();
    s.sendRateMbps = s.recvRateMbps * s.readers;
    s.bytesReceived += Math.round((s.recvRateMbps * 1e6) / 8);
    s.bytesSent += Math.round((s.sendRateMbps * 1e6) / 8);
    if (s.rtt !== null) s.rtt = Math.round((2 + Math.random()) * 1000) / 1000;
    if ((i + cycle) % 50 === 0) s.readers = 1 + ((s.readers + 1) % 4);
    if ((i + cycle) % 97 === 0) {
      s.health = s.health.level === 'ok' ? { level: 'warn', reasons: ['SRT loss 2 packets in 10 s'] } : { level: 'ok', reasons: [] };
    }
  }
}

const detailOf = (s) =>
  JSON.stringify({
    inboundFramesInError: 0,
    inboundFramesInError10s: 0,
    source: null,
    readerList: Array.from({ length: s.readers }, (_, r) => ({ id: `${s.name}-r${r}`, type: 'rtspSession', protocol: 'rtsp', direction: 'read', bytesOut: s.bytesSent })),
  });

async function main() {
  const children = [];
  const stop = () => children.forEach((c) => c.kill('SIGKILL'));
  process.on('exit', stop);
  const { url: redisUrl } = await startRedis({ children });
  const redis = new Redis(redisUrl);
  const store = new StreamStore(redis, 300);
  const streams = makeStreams();
  const status = (n) => ({ node: NODE, stale: false, lastSuccessAt: n, lastAttemptAt: n, lastError: null, lastCycleMs: 10, lastCycleCpuMs: 5,
    mediamtxVersion: 'v1.20.1', versionTested: true, apiLayout: 'v1.21', intervalMs: 1000, streams: STREAMS, online: 950, readers: 1900,
    effectiveIntervalMs: 1000, detailRefreshMs: 1000, itemsSkipped: 0, itemsRepaired: 0 });
  let cycle = 0;
  const publish = async (detailMode) => {
    const now = new Date().toISOString();
    const watched = detailMode === 'replace' ? streams.map((s) => s.name) : await redis.zrangebyscore(keys.nodeWatch(NODE), Date.now(), '+inf');
    const byName = new Map(streams.map((s) => [s.name, s]));
    const entries = watched.filter((n) => byName.has(n)).map((n) => [n, detailOf(byName.get(n))]);
    await store.publishNode(status(now), JSON.stringify(streams), { mode: detailMode, entries }, now, Date.now());
  };
  await publish('replace');

  const apiPort = await freePort();
  const env = { ...process.env, API_PORT: String(apiPort), API_HOST: '127.0.0.1', REDIS_URL: redisUrl, LOG_LEVEL: 'warn' };
  delete env.REDIS_SENTINELS;
  const api = spawn(process.execPath, [path.join(ROOT, 'services/api/dist/main.js')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(api);
  await waitPort(apiPort);

  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = { socket: null, data: 0, messages: 0, lastSeq: null, gaps: 0 };
    const ws = new WebSocket(`ws://127.0.0.1:${apiPort}/api/ws`, { perMessageDeflate: DEFLATE });
    ws.on('upgrade', (res) => (c.socket = res.socket));
    ws.on('message', (m) => {
      c.data += m.length;
      c.messages++;
      // type and seq from the message's head: parsing 500 clients' messages would make this process the bottleneck
      const head = /^\{"type":"([^"]+)"(?:,"seq":(\d+))?/.exec(m.subarray(0, 64).toString('latin1'));
      if (head?.[1] === 'streams') {
        c.lastSeq = Number(head[2]);
      } else if (head?.[1] === 'streams.delta') {
        const seq = Number(head[2]);
        if (seq !== c.lastSeq + 1) {
          c.gaps++;
          ws.send('{"type":"resync"}');
        }
        c.lastSeq = seq;
      }
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    if (i % 10 === 0) ws.send(JSON.stringify({ type: 'detail', streams: [{ node: NODE, name: streams[(i / 10) % STREAMS].name }] }));
    c.ws = ws;
    clients.push(c);
    if (i % 50 === 49) await sleep(50);
  }
  if (DEFLATE && !clients.every((c) => /permessage-deflate/.test(c.ws.extensions))) throw new Error('permessage-deflate was not negotiated');

  const loop = setInterval(() => {
    tick(streams, ++cycle);
    publish('merge').catch((err) => console.error(err));
  }, 1000);
  await sleep(5000); // warm-up: the initial full messages and JIT
  const wire0 = clients.map((c) => c.socket.bytesRead);
  const data0 = clients.map((c) => c.data);
  const msgs0 = clients.map((c) => c.messages);
  const cycle0 = cycle;
  const cpu0 = cpuSeconds(api.pid);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const cpu = cpuSeconds(api.pid) - cpu0;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(loop);
  const perClient = (now, then) => clients.map((c, i) => (now(c) - then[i]) / seconds);
  const avg = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const wire = perClient((c) => c.socket.bytesRead, wire0);
  const data = perClient((c) => c.data, data0);
  console.log(
    JSON.stringify({
      clients: CLIENTS,
      streams: STREAMS,
      deflate: DEFLATE,
      seconds: Math.round(seconds),
      apiCores: Math.round((cpu / seconds) * 100) / 100,
      apiRssMb: rssMb(api.pid),
      perClientKBps: { wire: Math.round(avg(wire) / 100) / 10, decompressed: Math.round(avg(data) / 100) / 10 },
      updatesPerSecond: Math.round(((cycle - cycle0) / seconds) * 10) / 10,
      messagesPerClientPerSecond: Math.round(avg(perClient((c) => c.messages, msgs0)) * 10) / 10,
      fullSummariesKB: Math.round(Buffer.byteLength(JSON.stringify(streams)) / 1024),
      seqGaps: clients.reduce((n, c) => n + c.gaps, 0),
      clientsBehind: clients.filter((c) => c.lastSeq < Math.max(...clients.map((x) => x.lastSeq)) - 1).length,
    }),
  );
  for (const c of clients) c.ws.terminate();
  redis.disconnect();
  stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
