// History benchmark (issue #12), against its own redis-server and api process (services/*/dist):
//  1. Memory: 100 streams and the host written through the real writers for a simulated 30 days
//     (a scripted clock ending now, two samples per 10 s bucket, figures that vary), default tiers;
//     Redis' used_memory before and after. Budget <= 150 MB.
//  2. Query: GET /api/history for one of those streams over the 30 days, at the api (keep-alive,
//     one request at a time); wall time per request and points. Budget <= 50 ms and <= 500 points.
//  3. Write: 1,000 streams sampled every 1 s cycle (the collector's call), this process's CPU per
//     10 s history interval (accumulating ten cycles and writing the bucket), and Redis' CPU beside
//     it. Budget <= 20 ms of collector CPU per interval.
// Env: BENCH_HISTORY_DAYS (30), BENCH_HISTORY_STREAMS (100), BENCH_HISTORY_WRITE_STREAMS (1000),
//      BENCH_HISTORY_QUERIES (200).
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const Redis = require('ioredis');
const { HostHistoryWriter, StreamHistoryWriter, historyTiers } = require('@mmon/shared');
const { freePort, waitPort, startRedis, cpuSeconds } = require('./support');

const DAYS = Number(process.env.BENCH_HISTORY_DAYS ?? 30);
const STREAMS = Number(process.env.BENCH_HISTORY_STREAMS ?? 100);
const WRITE_STREAMS = Number(process.env.BENCH_HISTORY_WRITE_STREAMS ?? 1000);
const QUERIES = Number(process.env.BENCH_HISTORY_QUERIES ?? 200);
const ROOT = path.resolve(__dirname, '../..');
const DAY = 86_400_000;
const TIERS = historyTiers({});

const cpuMsOf = (pid) => cpuSeconds(pid) * 1000;
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const usedMemory = async (redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
const mb = (bytes) => (bytes / 1048576).toFixed(1);
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** A stream's summary at a time: an SRT feed with rates, RTT and now and then losses and a drop-out. */
function summary(node, i, t) {
  const wave = Math.sin(t / 600_000 + i);
  const online = (t / 1000 + i * 97) % 86_400 > 120; // two minutes offline a day
  return {
    node,
    name: `live/cam-${String(i).padStart(4, '0')}`,
    online,
    readers: online ? 2 + ((t / 3_600_000 + i) % 5 | 0) : 0,
    recvRateMbps: online ? 4 + wave + Math.random() * 0.2 : null,
    sendRateMbps: online ? 8 + 2 * wave + Math.random() * 0.4 : null,
    rtt: online ? 20 + 5 * wave + (Math.random() < 0.01 ? 400 : Math.random() * 2) : null,
    linkCapacityMbps: online ? 900 + 50 * wave : null,
    srt10s: online ? { loss: Math.random() < 0.05 ? 3 : 0, retrans: Math.random() < 0.1 ? 5 : 0, drop: 0, belated: 0, undecrypt: 0 } : null,
    health: { level: online ? (Math.random() < 0.05 ? 'warn' : 'ok') : 'crit', reasons: [] },
  };
}

function hostSample(t) {
  const wave = Math.sin(t / 3_600_000);
  return {
    cpu_percent: 30 + 20 * wave + Math.random() * 5,
    ram_used_mb: 6000 + 500 * wave,
    net_in_mbps: 400 + 100 * wave,
    net_out_mbps: 800 + 200 * wave,
    load: 1.5 + wave,
    temperature_c: 55 + 5 * wave,
    'disk_percent:/': 42.5,
    'disk_percent:/var/lib/redis': 12 + t / DAY / 100,
  };
}

function get(port, pathAndQuery, agent) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathAndQuery, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

async function main() {
  const children = [];
  const cleanup = () => children.forEach((c) => c.kill('SIGKILL'));
  process.on('exit', cleanup);
  const { port: redisPort, server: redisServer } = await startRedis({ children });
  const redis = new Redis({ port: redisPort, host: '127.0.0.1' });

  // 1. memory after a simulated month
  const before = await usedMemory(redis);
  const streams = new StreamHistoryWriter(redis, TIERS);
  const host = new HostHistoryWriter(redis, TIERS);
  const end = Date.now();
  const start = end - DAYS * DAY;
  const started = Date.now();
  const [simCpu0, simRedisCpu0] = [ownCpuMs(), cpuMsOf(redisServer.pid)];
  let pending = [];
  for (let t = start; t <= end; t += 5000) {
    const batch = Array.from({ length: STREAMS }, (_, i) => summary('bench', i, t));
    pending.push(streams.append(batch, t), host.append(hostSample(t), t));
    if (pending.length >= 400) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  const after = await usedMemory(redis);
  const [simCpu, simRedisCpu] = [(ownCpuMs() - simCpu0) / 1000, (cpuMsOf(redisServer.pid) - simRedisCpu0) / 1000];
  const lengths = {};
  for (const label of ['10s', '1m', '10m']) {
    let n = 0;
    for (let i = 0; i < STREAMS; i++) n += await redis.xlen(`mediamtx:history:${label}:stream:bench:live/cam-${String(i).padStart(4, '0')}`);
    lengths[label] = n;
  }
  console.log(`== History memory: ${STREAMS} streams + host, ${DAYS} simulated days, tiers ${process.env.HISTORY_TIERS ?? '10s:1h,1m:24h,10m:30d'} (written in ${((Date.now() - started) / 1000).toFixed(0)} s: ${simCpu.toFixed(0)} s CPU here, ${simRedisCpu.toFixed(0)} s in Redis)`);
  console.log(`   entries per tier (streams): ${Object.entries(lengths).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`   used_memory: ${mb(before)} MB before, ${mb(after)} MB after: ${mb(after - before)} MB for history (budget 150 MB, ratio ${((after - before) / (150 * 1048576)).toFixed(2)})`);

  // 2. a 30-day query of one stream at the api
  const apiPort = await freePort();
  const api = spawn(process.execPath, [path.join(ROOT, 'services/api/dist/main.js')], {
    env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${redisPort}/0`, API_PORT: String(apiPort), API_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  children.push(api);
  await waitPort(apiPort);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const queried = `live/cam-${String(Math.min(42, STREAMS - 1)).padStart(4, '0')}`;
  const query = (from, to) => `/api/history?node=bench&name=${encodeURIComponent(queried)}&from=${from}&to=${to}`;
  const ranges = { '30 d': 30 * DAY, '24 h': DAY, '1 h': 3_600_000 };
  console.log(`== History query at the api: GET /api/history, one stream, ${QUERIES} requests each, one at a time`);
  for (const [label, span] of Object.entries(ranges)) {
    const now = Date.now();
    const first = await get(apiPort, query(now - span, now), agent);
    if (first.status !== 200) throw new Error(`api answered ${first.status}: ${first.body}`);
    const body = JSON.parse(first.body);
    if (body.points.length === 0) throw new Error(`no history for ${queried} over ${label}`);
    for (let i = 0; i < 20; i++) await get(apiPort, query(now - span, now), agent); // warm-up
    const times = [];
    const cpu0 = cpuMsOf(api.pid);
    for (let i = 0; i < QUERIES; i++) {
      const t0 = process.hrtime.bigint();
      await get(apiPort, query(now - span, now), agent);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const apiCpu = (cpuMsOf(api.pid) - cpu0) / QUERIES;
    console.log(
      `   ${label}: ${body.points.length} points at ${body.resolutionMs / 1000} s, ${(first.body.length / 1024).toFixed(0)} KB; median ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms (budget 50 ms, ratio ${(quantile(times, 0.95) / 50).toFixed(2)}); api CPU ${apiCpu.toFixed(1)} ms per request`,
    );
  }
  agent.destroy();

  // 3. writing history for 1,000 streams: every 1 s cycle, a bucket every 10 s
  const writer = new StreamHistoryWriter(redis, TIERS);
  const intervals = [];
  let t = end - (end % 600_000) - 3_600_000;
  const sample = Array.from({ length: WRITE_STREAMS }, (_, i) => summary('bench1000', i, t));
  let redisCpu0 = 0;
  for (let interval = 0; interval < 130; interval++) {
    if (interval === 10) redisCpu0 = cpuMsOf(redisServer.pid);
    let cpu = 0;
    for (let cycle = 0; cycle < 10; cycle++) {
      for (const s of sample) {
        s.rtt = s.online ? 20 + Math.random() * 5 : null;
        s.recvRateMbps = s.online ? 4 + Math.random() : null;
      }
      const cpu0 = ownCpuMs();
      await writer.append(sample, t);
      cpu += ownCpuMs() - cpu0;
      t += 1000;
    }
    if (interval >= 10) intervals.push(cpu);
  }
  const redisCpu = (cpuMsOf(redisServer.pid) - redisCpu0) / intervals.length;
  console.log(`== History write: ${WRITE_STREAMS} streams, one sample per 1 s cycle, one bucket per 10 s (${intervals.length} intervals, the 1 min and 10 min rollups included)`);
  console.log(
    `   collector CPU per interval: median ${quantile(intervals, 0.5).toFixed(1)} ms, p95 ${quantile(intervals, 0.95).toFixed(1)} ms, max ${Math.max(...intervals).toFixed(1)} ms (budget 20 ms, ratio ${(quantile(intervals, 0.95) / 20).toFixed(2)}); Redis CPU per interval: ${redisCpu.toFixed(1)} ms (mean)`,
  );

  redis.disconnect();
  cleanup();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
