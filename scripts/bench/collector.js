// Collector benchmark: N cycles of the real collector (client, normalize, derive, health, store)
// against the emulator at MEDIAMTX_API_URL and Redis at REDIS_URL, on a 1 s interval with the
// default detail plan (DETAIL_EVERY_CYCLE_MAX_CONNS, 2000: above it the connection lists are read
// every 5th cycle). Prints CPU per cycle (median, mean over every cycle, the full reads alone), RSS
// and the floor (see below).
const { MediaMtxClient, PATHS_LIST, StreamHistoryWriter, StreamStore, createLogger, parseHistoryTiers, DEFAULT_HISTORY_TIERS, toSummary } = require('@mmon/shared');
const Redis = require('ioredis');
const { NodeCollector } = require('../../services/collector/dist/nodeCollector');
const { DEFAULT_HEALTH_RULES } = require('../../services/collector/dist/health');

async function main() {
  const cycles = Number(process.env.BENCH_CYCLES ?? 16);
  const logger = createLogger('bench', 'warn');
  const redis = new Redis(process.env.REDIS_URL);
  const client = new MediaMtxClient({ baseUrl: process.env.MEDIAMTX_API_URL, timeoutMs: 30000, pageSize: Number(process.env.MEDIAMTX_PAGE_SIZE ?? 1000) });
  const store = new StreamStore(redis, 300);
  const collector = new NodeCollector(
    {
      node: 'bench',
      intervalMs: 1000,
      excludePrefixes: [],
      health: DEFAULT_HEALTH_RULES,
      goneRetentionMs: 600000,
      historyIntervalMs: 10000,
      detailEveryCycleMaxConns: Number(process.env.DETAIL_EVERY_CYCLE_MAX_CONNS ?? 2000),
      detailMaxAgeMs: 5000,
      pollDeadlineMs: 3000,
      maxPlausibleGbps: 100,
    },
    {
      client,
      store,
      history: new StreamHistoryWriter(redis, parseHistoryTiers(DEFAULT_HISTORY_TIERS)),
      logger,
    },
  );
  const cpu = [];
  const wall = [];
  const full = [];
  let rss = 0;
  for (let i = 0; i < cycles; i++) {
    const before = process.cpuUsage();
    const t0 = performance.now();
    await collector.cycle();
    const used = process.cpuUsage(before);
    if (collector.status.stale) throw new Error(`cycle ${i} failed: ${collector.status.lastError}`);
    // the whole cycle, the Redis writes included
    cpu.push(Math.round((used.user + used.system) / 100) / 10);
    wall.push(Math.round(performance.now() - t0));
    full.push(collector.status.detailCollectedAt === collector.status.lastSuccessAt);
    rss = Math.max(rss, process.memoryUsage().rss);
    process.stderr.write(`  cycle ${i + 1}/${cycles}: ${cpu[i]} ms CPU, ${wall[i]} ms wall${full[i] ? ', every connection list read' : ''}\n`);
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - wall[i]))); // as the loop does: start to start
  }
  const streams = JSON.parse(await redis.get('mediamtx:streams:latest'));
  const sorted = (a) => [...a].sort((x, y) => x - y);
  const median = (a) => sorted(a)[Math.floor(a.length / 2)];
  const mean = (a) => Math.round(a.reduce((x, y) => x + y, 0) / a.length);

  // The floor: what every cycle has to do at this size whatever the collector's design, each step
  // measured alone (median of 5 CPU times): read MediaMTX's paths list (every path in every
  // cycle: fetch and JSON.parse), serialize the summaries, write them to Redis.
  const cpuOf = async (step) => {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const before = process.cpuUsage();
      await step();
      const used = process.cpuUsage(before);
      times.push(Math.round((used.user + used.system) / 100) / 10);
      await new Promise((r) => setTimeout(r, 200));
    }
    return median(times);
  };
  const text = JSON.stringify(streams);
  const floor = {
    readPathsList: await cpuOf(() => client.listAll(PATHS_LIST)),
    serializeSummaries: await cpuOf(() => JSON.stringify(streams.map(toSummary))),
    writeSummaries: await cpuOf(() => store.publishNode(collector.status, text, { mode: 'keep' }, new Date().toISOString(), Date.now())),
  };
  floor.sum = Math.round(floor.readPathsList + floor.serializeSummaries + floor.writeSummaries);
  // The first cycle has no rate baselines; steady state is what counts.
  const steady = cpu.slice(1);
  const fullCpu = steady.filter((_, i) => full[i + 1]);
  console.log(
    JSON.stringify({
      paths: streams.length,
      readers: collector.status.readers,
      cycles,
      detailRefreshMs: collector.status.detailRefreshMs,
      cpuMsPerCycle: { median: median(steady), mean: mean(steady), max: Math.max(...steady), fullReads: fullCpu, first: cpu[0] },
      wallMsPerCycle: { median: median(wall.slice(1)), max: Math.max(...wall.slice(1)) },
      maxRssMb: Math.round(rss / 1048576),
      summariesMb: Math.round(text.length / 104857.6) / 10,
      floorCpuMs: floor,
    }),
  );
  redis.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
