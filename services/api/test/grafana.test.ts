import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import Redis from 'ioredis';
import { parser } from '@prometheus-io/lezer-promql';
import { StreamStore, createLogger, keys } from '@mmon/shared';
import { RedisServer, collectorStatus, eventually, freePort } from '@mmon/test-support';
import { summary } from './fixtures';
import { parseExposition, seriesNames } from './exposition';
import { startApi, type RunningApi } from '../src/server';

const OBSERVABILITY = path.resolve(__dirname, '../../../observability');
const DASHBOARD = path.join(OBSERVABILITY, 'grafana/dashboards/mediamtx-monitor.json');

interface Target {
  expr?: string;
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every PromQL expression of the dashboard: the panels' queries and the query variables' selectors. */
function dashboardQueries(): { where: string; expr: string }[] {
  const queries = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr ?? '' })));
  for (const v of dashboard.templating.list) {
    if (v.type !== 'query') continue;
    const text = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\((.+),\s*[a-zA-Z_]\w*\)$/.exec(text);
    if (!m) throw new Error(`variable ${v.name}: not label_values(selector, label): ${text}`);
    queries.push({ where: `variable ${v.name}`, expr: m[1] });
  }
  return queries;
}

/** Grafana's variables, as a query Grafana sends would have them (every value, a short range). */
function expand(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '10s').replace(/\$\{?(job|node|stream)\}?/g, '.*');
}

/** The metric names a PromQL expression selects, from Prometheus's own grammar; throws on a syntax error. */
function metricNames(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  const errors: number[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL syntax error at ${errors[0]}: ${expr}`);
  return names;
}

describe('Grafana dashboard and Prometheus', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let api: RunningApi;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    api = await startApi({ redis: redisServer.url, port: 0, host: '127.0.0.1', logger: createLogger('t', 'error') });
    // What a collector and sysmon write: an SRT stream with every figure, an offline one, a node status, a host sample.
    const streams = [
      summary('n1', 'cam', { readers: 2, srt10s: { loss: 3, retrans: 5, drop: 1, belated: 0, undecrypt: 0 }, health: { level: 'warn', reasons: ['SRT loss'] } }),
      summary('n1', 'off', { online: false, readers: 0, rtt: null, recvRateMbps: null, sendRateMbps: null, linkCapacityMbps: null, srt10s: null }),
    ];
    await new StreamStore(redis, 600).publishNode(
      collectorStatus('n1', { intervalMs: 3_600_000, streams: 2 }),
      JSON.stringify(streams),
      { mode: 'keep' },
      new Date().toISOString(),
      Date.now(),
    );
    const sample = {
      cpu_percent: 12.5,
      ram_used_mb: 800,
      ram_total_mb: 4000,
      swap_used_mb: 10,
      swap_total_mb: 1024,
      net_in_mbps: 2.5,
      net_out_mbps: 1.5,
      load_avg: [0.1, 0.2, 0.3],
      temperature_c: 48,
      disks: [{ mount: '/', size_mb: 1000, used_mb: 250, percent: 25 }],
      sampledAt: new Date().toISOString(),
    };
    await redis.set(keys.systemLatest, JSON.stringify(sample));
    await redis.publish(keys.updates, JSON.stringify({ kind: 'system', at: sample.sampledAt }));
    // Every family has its series once the api has read the status and the sample.
    await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text();
      expect(text).toContain('mediamtx_monitor_collector_failures_total{node="n1"} 0');
      expect(text).toContain('mediamtx_monitor_host_load1 0.1');
    });
  });
  afterAll(async () => {
    await api?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  test('finds metric names with the PromQL grammar (selectors only, not functions or labels) and rejects bad syntax', () => {
    expect(metricNames('sum by (node) (rate(a_total{node=~"x"}[5m])) / on (node) group_left b + histogram_quantile(0.9, c_bucket)')).toEqual([
      'a_total',
      'b',
      'c_bucket',
    ]);
    expect(() => metricNames('sum by (node) (a')).toThrow(/syntax error/);
  });

  test("every metric name the dashboard's queries use is one /metrics exports", async () => {
    const exported = seriesNames(parseExposition(await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text()));
    const used = new Map<string, string>();
    for (const { where, expr } of dashboardQueries()) for (const name of metricNames(expand(expr))) used.set(name, where);
    expect(used.size).toBeGreaterThan(25);
    const missing = [...used].filter(([name]) => !exported.has(name)).map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
  });

  test('every panel queries the datasource variable, which the provisioned Prometheus fills', () => {
    const datasourceVar = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(datasourceVar?.query).toBe('prometheus');
    for (const p of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
      expect({ panel: p.title, datasource: p.datasource }).toEqual({ panel: p.title, datasource: { type: 'prometheus', uid: `\${${datasourceVar!.name}}` } });
      expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, targets: true });
    }
    const provisioned = load(readFileSync(path.join(OBSERVABILITY, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { type: string; isDefault: boolean; url: string }[];
    };
    expect(provisioned.datasources).toEqual([expect.objectContaining({ type: 'prometheus', isDefault: true, url: 'http://prometheus:9090' })]);
  });

  describe("Debian's prometheus", () => {
    let dir: string;
    let prometheus: ChildProcess | undefined;
    let base: string;
    let stderr = '';

    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
      // observability/prometheus.yml as Compose runs it, with this api as target, a 1 s interval and a token file here.
      const config = load(readFileSync(path.join(OBSERVABILITY, 'prometheus.yml'), 'utf8')) as {
        global: Record<string, string>;
        scrape_configs: { job_name: string; static_configs: { targets: string[] }[]; authorization: { credentials_file: string } }[];
      };
      expect(config.scrape_configs.map((c) => c.job_name)).toEqual(['mediamtx-monitor']);
      config.global.scrape_interval = '1s';
      config.global.evaluation_interval = '1s';
      config.scrape_configs[0].static_configs = [{ targets: [`127.0.0.1:${api.port}`] }];
      config.scrape_configs[0].authorization.credentials_file = path.join(dir, 'metrics_token');
      writeFileSync(path.join(dir, 'metrics_token'), '');
      writeFileSync(path.join(dir, 'prometheus.yml'), dump(config));
      const check = spawnSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(check.stdout + check.stderr).toContain('SUCCESS');

      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      prometheus = spawn(
        '/usr/bin/prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await eventually(async () => expect((await fetch(`${base}/-/ready`).catch(() => null))?.status).toBe(200), 15000);
    }, 30000);
    afterAll(async () => {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
        prometheus.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    const query = async (expr: string) => {
      const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
      return body.data.result;
    };

    test('scrapes the api and answers a query through its HTTP API', async () => {
      const result = await eventually(async () => {
        const r = await query('mediamtx_monitor_stream_srt_rtt_seconds');
        expect(r).toHaveLength(1);
        return r;
      }, 15000).catch((err: Error) => {
        throw new Error(`${err.message}\nprometheus: ${stderr}`);
      });
      expect(result[0].metric).toEqual({ __name__: 'mediamtx_monitor_stream_srt_rtt_seconds', job: 'mediamtx-monitor', instance: `127.0.0.1:${api.port}`, node: 'n1', name: 'cam' });
      expect(Number(result[0].value[1])).toBe(0.002);
      expect(await query('up{job="mediamtx-monitor"}')).toEqual([expect.objectContaining({ value: [expect.any(Number), '1'] })]);
    }, 30000);

    test('answers every query of the dashboard with data', async () => {
      const queries = dashboardQueries();
      await eventually(async () => {
        const empty: string[] = [];
        for (const { where, expr } of queries) if ((await query(expand(expr))).length === 0) empty.push(`${where}: ${expr}`);
        expect(empty).toEqual([]);
      }, 15000);
    }, 30000);
  });
});
