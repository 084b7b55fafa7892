// Dashboard benchmark in Chromium (issue #8's budgets). For each scenario: a fresh redis-server, the
// real api (services/api/dist/main.js) serving services/web/public, and N streams over M nodes
// published at 1 Hz through the collectors' StreamStore.publishNode (so the api computes its real
// deltas): online streams' bytes and rates move every second, SRT streams' RTT and link capacity
// too, and a few streams per second change readers or flip health (which re-sorts the list). The
// page (1400x900) is opened, left to settle, then measured over BENCH_SECONDS (default 20):
//  - main thread: CDP Performance.getMetrics TaskDuration (the renderer main thread's summed task
//    time: script, style, layout, paint, GC) over the window, in ms per second;
//  - WebSocket payload: CDP Network.webSocketFrameReceived payload lengths (the text the page gets,
//    after permessage-deflate), in KB (1000 bytes) per second;
//  - first paint of the list: from navigation start to the frame after the first rows are in the
//    DOM (performance.now() in a requestAnimationFrame, so the rows were laid out and painted);
//  - DOM: CDP Performance.getMetrics Nodes (every live node, text nodes and pooled rows included)
//    and the number of elements in the document.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const Redis = require('ioredis');
const { chromium } = require('playwright-core');
const { StreamStore } = require('@mmon/shared');
const { freePort, waitPort, startRedis } = require('./support');

const ROOT = path.join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SETTLE_MS = 4000;
const SCENARIOS = [
  { streams: 1000, nodes: 1, budget: { mainMsPerS: 150, payloadKBps: 200, firstPaintMs: 1500, domNodes: 10000 } },
  { streams: 10000, nodes: 10, budget: { mainMsPerS: 300 } },
];

function start(cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!child.stopping) throw new Error(`${cmd} ended early (${code ?? signal})`);
  });
  return {
    stop() {
      child.stopping = true;
      child.kill('SIGTERM');
      return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    },
  };
}

const PROTOCOLS = ['srtConn', 'srtConn', 'rtmpConn', 'rtspSession', 'webRTCSession'];
const OK = { level: 'ok', reasons: [] };

/** A node's streams as a collector summarizes them (one in 20 offline, mixed protocols, two readers each). */
function makeStreams(node, count, offset) {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const sourceType = n % 20 === 19 ? null : PROTOCOLS[n % PROTOCOLS.length];
    const srt = sourceType === 'srtConn';
    const online = sourceType !== null;
    return {
      node,
      name: `bench/path-${String(n).padStart(5, '0')}`,
      confName: 'all_others',
      online,
      onlineSince: online ? new Date(now - 3_600_000 - n * 1000).toISOString() : null,
      offlineSince: online ? null : new Date(now - 600_000).toISOString(),
      sourceType,
      tracks: online ? ['H264', 'MPEG-4 Audio'] : [],
      video: online ? { codec: 'H264', width: 1920, height: 1080 } : null,
      bytesReceived: online ? 500_000_000 + n * 1000 : 0,
      bytesSent: online ? 1_000_000_000 + n * 1000 : 0,
      readers: online ? 2 : 0,
      rtt: srt ? 0.4 : null,
      recvRateMbps: online ? 2 + (n % 7) * 0.5 : null,
      sendRateMbps: online ? 4 + (n % 7) : null,
      linkCapacityMbps: srt ? 900 : null,
      srt10s: srt ? { loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 } : null,
      health: OK,
    };
  });
}

/** One cycle's changes, as a MediaMTX server under load produces them. */
function tick(streams, rand) {
  for (const s of streams) {
    if (!s.online) continue;
    s.recvRateMbps = Math.round((s.recvRateMbps * (0.95 + rand() * 0.1) + Number.EPSILON) * 1e4) / 1e4;
    s.sendRateMbps = Math.round((s.sendRateMbps * (0.95 + rand() * 0.1) + Number.EPSILON) * 1e4) / 1e4;
    s.bytesReceived += Math.round((s.recvRateMbps * 1e6) / 8);
    s.bytesSent += Math.round((s.sendRateMbps * 1e6) / 8);
    if (s.sourceType === 'srtConn') {
      s.rtt = Math.round((0.3 + rand() * 0.3) * 1000) / 1000;
      s.linkCapacityMbps = Math.round((850 + rand() * 100) * 100) / 100;
    }
    const r = rand();
    if (r < 0.004) {
      const loss = 1 + Math.floor(rand() * 20);
      s.health = { level: rand() < 0.5 ? 'warn' : 'crit', reasons: [`SRT loss ${loss} packets in 10 s`] };
      if (s.srt10s) s.srt10s = { ...s.srt10s, loss };
    } else if (r < 0.02 && s.health.level !== 'ok') {
      s.health = OK;
      if (s.srt10s) s.srt10s = { loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0 };
    } else if (r < 0.03) {
      s.readers = Math.max(0, s.readers + (rand() < 0.5 ? -1 : 1));
    }
  }
}

function status(node, streams) {
  const now = new Date().toISOString();
  return {
    node,
    stale: false,
    lastSuccessAt: now,
    lastAttemptAt: now,
    lastError: null,
    lastCycleMs: 10,
    lastCycleCpuMs: 5,
    mediamtxVersion: 'v1.20.1',
    versionTested: true,
    apiLayout: 'v1.20',
    intervalMs: 1000,
    effectiveIntervalMs: 1000,
    detailRefreshMs: 1000,
    itemsSkipped: 0,
    itemsRepaired: 0,
    streams: streams.length,
    online: streams.filter((s) => s.online).length,
    readers: streams.reduce((n, s) => n + s.readers, 0),
  };
}

/** A small deterministic generator, so runs change the same things. */
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function scenario({ streams: total, nodes: nodeCount, budget }) {
  const { url: redisUrl, server: redisServer } = await startRedis({ launch: start, attempts: 400 });
  const redis = new Redis(redisUrl);
  const per = total / nodeCount;
  // One store per node, as one collector per node would have.
  const nodes = Array.from({ length: nodeCount }, (_, i) => {
    const id = nodeCount === 1 ? 'bench' : `node-${i}`;
    return { id, streams: makeStreams(id, per, i * per), store: new StreamStore(redis, 300) };
  });
  const publishOne = (n) => {
    const at = new Date();
    return n.store.publishNode(status(n.id, n.streams), JSON.stringify(n.streams), { mode: 'keep' }, at.toISOString(), at.getTime());
  };
  const publish = () => Promise.all(nodes.map(publishOne));
  for (const n of nodes) await publishOne(n); // every node known before they publish at once

  const apiPort = await freePort();
  const api = start(process.execPath, [path.join(ROOT, 'services/api/dist/main.js')], {
    REDIS_URL: redisUrl,
    API_PORT: String(apiPort),
    API_HOST: '127.0.0.1',
    API_STATIC_DIR: path.join(ROOT, 'services/web/public'),
    LOG_LEVEL: 'warn',
  });
  await waitPort(apiPort, 400);

  const rand = mulberry32(8);
  let measuring = false;
  let publishing = true;
  let rounds = 0;
  const publisher = (async () => {
    let next = Date.now();
    while (publishing) {
      for (const n of nodes) tick(n.streams, rand);
      await publish();
      if (measuring) rounds += 1;
      next += 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  })();

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    // The first frame in which the list has rows: the rows were laid out and are being painted.
    new MutationObserver((_records, observer) => {
      if (!document.querySelector('#stream-list .rows .row')) return;
      observer.disconnect();
      requestAnimationFrame(() => (window.__firstRowsMs = performance.now()));
    }).observe(document, { childList: true, subtree: true });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Performance.enable');
  let bytes = 0;
  let frames = 0;
  cdp.on('Network.webSocketFrameReceived', ({ response }) => {
    if (!measuring) return;
    bytes += Buffer.byteLength(response.payloadData, response.opcode === 1 ? 'utf8' : 'base64');
    frames += 1;
  });
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

  await page.goto(`http://127.0.0.1:${apiPort}/`);
  await page.waitForFunction(() => window.__firstRowsMs !== undefined, null, { timeout: 30000 });
  const firstPaintMs = await page.evaluate(() => Math.round(window.__firstRowsMs));
  await page.waitForTimeout(SETTLE_MS);

  const before = await metrics();
  const t0 = Date.now();
  measuring = true;
  await page.waitForTimeout(SECONDS * 1000);
  measuring = false;
  const after = await metrics();
  const seconds = (Date.now() - t0) / 1000;
  const shown = await page.evaluate(() => ({
    elements: document.getElementsByTagName('*').length,
    rows: document.querySelectorAll('#stream-list .rows .row').length,
    shown: document.getElementById('count-shown').textContent,
  }));

  const result = {
    mainMsPerS: Math.round(((after.TaskDuration - before.TaskDuration) * 1000) / seconds),
    scriptMsPerS: Math.round(((after.ScriptDuration - before.ScriptDuration) * 1000) / seconds),
    layoutStyleMsPerS: Math.round(((after.LayoutDuration - before.LayoutDuration + after.RecalcStyleDuration - before.RecalcStyleDuration) * 1000) / seconds),
    payloadKBps: Math.round(bytes / seconds / 100) / 10,
    messagesPerS: Math.round((frames / seconds) * 10) / 10,
    nodeUpdatesPerS: Math.round(((rounds * nodeCount) / seconds) * 10) / 10,
    firstPaintMs,
    domNodes: after.Nodes,
    ...shown,
  };

  publishing = false;
  await publisher;
  await browser.close();
  await api.stop();
  redis.disconnect();
  await redisServer.stop();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);

  const check = (value, limit) => (limit === undefined ? '' : ` (budget <= ${limit}: ${value <= limit ? 'ok' : 'OVER'})`);
  console.log(`   ${total} streams over ${nodeCount} node${nodeCount === 1 ? '' : 's'}, ${seconds.toFixed(1)} s measured (list shows ${result.shown}):`);
  console.log(`     main thread:   ${result.mainMsPerS} ms/s${check(result.mainMsPerS, budget.mainMsPerS)}  [script ${result.scriptMsPerS}, style+layout ${result.layoutStyleMsPerS}]`);
  console.log(
    `     ws payload:    ${result.payloadKBps} KB/s in ${result.messagesPerS} messages/s (${result.nodeUpdatesPerS} node updates/s published)${check(result.payloadKBps, budget.payloadKBps)}`,
  );
  console.log(`     first paint:   ${result.firstPaintMs} ms${check(result.firstPaintMs, budget.firstPaintMs)}`);
  console.log(`     DOM:           ${result.domNodes} nodes (${result.elements} elements, ${result.rows} rows)${check(result.domNodes, budget.domNodes)}`);
  return result;
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: the browser benchmark needs Debian's chromium package`);
  const only = process.env.BENCH_BROWSER_STREAMS ? Number(process.env.BENCH_BROWSER_STREAMS) : null;
  for (const s of SCENARIOS) if (only === null || s.streams === only) await scenario(s);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
