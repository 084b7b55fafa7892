/**
 * The container side without a Docker engine: compose.yaml, compose.dev.yaml and compose.external.yaml
 * against the Compose Specification's JSON schema, the stack's security rules, health checks (the
 * commands run here against real answers), the bundled MediaMTX's configuration and its monitor
 * user, the one shared Dockerfile of the Node services (non-root final stage, COPY sources that
 * exist and survive .dockerignore, its RUN steps run here, entry points the TypeScript build
 * produces), .env.example against every ${VAR} and every service's config reader, and
 * redis/redis.conf in a real redis-server. The same services run natively in e2e/ (make e2e-native).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { Redis } from 'ioredis';
import { YAML11_SCHEMA, load } from 'js-yaml';
import { contractFile, freePort, waitForPort } from '@mmon/test-support';
import { readConfig as collectorConfig } from '../../collector/src/config';
import { readConfig as sysmonConfig } from '../../sysmon/src/config';
import { readConfig as snapshotterConfig } from '../../snapshotter/src/config';
import { readConfig as apiConfig } from '../../api/src/config';
import { readConfig as alerterConfig } from '../../alerter/src/config';

const ROOT = path.resolve(__dirname, '../../..');
const COMPOSE_FILES = ['compose.yaml', 'compose.dev.yaml', 'compose.external.yaml'] as const;

type Env = Record<string, string>;
type Service = Record<string, any>;
interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  networks?: Record<string, { internal?: boolean } | null>;
  configs?: Record<string, { file?: string; content?: string }>;
  secrets?: Record<string, { file?: string }>;
}

const NODE_SERVICES = {
  collector: collectorConfig,
  sysmon: sysmonConfig,
  snapshotter: snapshotterConfig,
  api: apiConfig,
  alerter: alerterConfig,
} as const;

// ---- reading the files ----

function read(rel: string): string {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8');
}

/** YAML 1.1 as Compose reads it: merge keys (`<<: *anchor`) resolved. */
function loadCompose(rel: string): ComposeFile {
  return load(read(rel), { schema: YAML11_SCHEMA }) as ComposeFile;
}

/** KEY=VALUE lines of an env file (comments and blank lines skipped). */
function parseEnvFile(text: string): Env {
  const env: Env = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].trim();
  }
  return env;
}

/** Every ${VAR...} reference of a Compose file; `$${` is Compose's escape for a literal `${`. */
function referencedVariables(text: string): string[] {
  const names = [...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

/** Compose interpolation of one value: ${VAR}, ${VAR:-default}, ${VAR-default}, $$. */
function interpolate(value: string, env: Env): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}/g, (whole, name, op, fallback) => {
    if (whole === '$$') return '$';
    const v = env[name as string];
    if (op === ':-') return v === undefined || v === '' ? (fallback as string) : v;
    if (op === '-') return v === undefined ? (fallback as string) : v;
    if (op === ':+') return v === undefined || v === '' ? '' : (fallback as string);
    if (op === '+') return v === undefined ? '' : (fallback as string);
    return v ?? '';
  });
}

/** The environment a service's process gets: its map from each file in order, interpolated. */
function serviceEnvironment(files: ComposeFile[], service: string, dotenv: Env): Env {
  const merged: Record<string, unknown> = {};
  for (const file of files) Object.assign(merged, file.services[service]?.environment ?? {});
  const out: Env = {};
  for (const [k, v] of Object.entries(merged)) out[k] = interpolate(v === null || v === undefined ? '' : String(v), dotenv);
  return out;
}

// ---- Dockerfiles ----

interface Instruction {
  cmd: string;
  args: string;
}
interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Env; stages: Stage[] } {
  const lines = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const args: Env = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, cmd, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { cmd: cmd.toUpperCase(), args: rest };
    if (instruction.cmd === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)!;
      stages.push({ base: interpolate(m[1], args), name: m[2], instructions: [] });
    } else if (stages.length === 0 && instruction.cmd === 'ARG') {
      const [name, value = ''] = rest.split('=');
      args[name] = value;
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The user the stage runs as: its last USER, else the user of the stage it is built on. */
function stageUser(stages: Stage[], index: number): string | undefined {
  const stage = stages[index];
  const users = stage.instructions.filter((i) => i.cmd === 'USER');
  if (users.length > 0) return users[users.length - 1].args;
  const parent = stages.findIndex((s) => s.name === stage.base);
  return parent >= 0 && parent < index ? stageUser(stages, parent) : undefined;
}

/** The build-context sources of COPY/ADD instructions (not --from=<stage>). */
function contextSources(stages: Stage[]): string[] {
  const sources: string[] = [];
  for (const { cmd, args } of stages.flatMap((s) => s.instructions)) {
    if (cmd !== 'COPY' && cmd !== 'ADD') continue;
    const tokens = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
    if (tokens.some((t) => t.startsWith('--from='))) continue;
    const paths = tokens.filter((t) => !t.startsWith('--'));
    sources.push(...paths.slice(0, -1));
  }
  return sources;
}

// ---- .dockerignore ----

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Docker's rule: the last matching line wins, and a match on a parent directory excludes the path. */
function dockerIgnored(rules: { negate: boolean; re: RegExp }[], rel: string): boolean {
  const parts = rel.replace(/\/+$/, '').split('/');
  let ignored = false;
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join('/');
    for (const rule of rules) if (rule.re.test(prefix)) ignored = !rule.negate;
    if (ignored) return true;
  }
  return ignored;
}

function dockerignoreRules(): { negate: boolean; re: RegExp }[] {
  return read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      return { negate, re: globToRegExp(path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''))) };
    });
}

// ---- the data under test ----

const compose = loadCompose('compose.yaml');
const dev = loadCompose('compose.dev.yaml');
const external = loadCompose('compose.external.yaml');
const envExample = parseEnvFile(read('.env.example'));
/** As MediaMTX reads it (YAML 1.1: `yes` is true). */
const mediamtxYml = load(read('mediamtx-test/mediamtx.yml'), { schema: YAML11_SCHEMA }) as {
  api: boolean;
  apiAddress: string;
  authInternalUsers: { user: string; pass: string | null; ips: string[]; permissions: { action: string; path?: string }[] }[];
  paths: Record<string, unknown>;
};

function buildServices(file: ComposeFile): [string, Service][] {
  return Object.entries(file.services).filter(([, s]) => s.build !== undefined);
}

function dockerfileOf(service: Service): string {
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return path.posix.join(build.context, build.dockerfile ?? 'Dockerfile');
}

/** The Dockerfile text of a built service. */
function dockerfileText(service: Service): string {
  return read(dockerfileOf(service));
}

function parsedDockerfile(service: string) {
  return parseDockerfile(dockerfileText(compose.services[service]));
}

/** Services only compose.dev.yaml defines (the emulator). */
const devOnly = Object.entries(dev.services).filter(([name]) => compose.services[name] === undefined);

/** The bundled MediaMTX and its test clients: what compose.external.yaml switches off. */
const BUNDLED = ['mediamtx', 'testpattern', 'viewer'];

/** Node services without a port: their healthcheck reads the heartbeat their loop writes. */
const HEARTBEAT_SERVICES = ['collector', 'sysmon', 'snapshotter', 'alerter'] as const;

/** The stage of a Dockerfile by name. */
function stage(stages: Stage[], name: string): Stage {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

/**
 * Runs a RUN instruction of the shared Dockerfile in a scratch copy of what it works on: `/out` and
 * `/manifests` become directories under `dir`, build arguments are passed as environment variables.
 */
function runInstruction(script: string, cwd: string, dir: string, args: Env): void {
  const local = script.replaceAll('/out', path.join(dir, 'out')).replaceAll('/manifests', path.join(dir, 'manifests'));
  const result = spawnSync('sh', ['-ec', local], { cwd, env: { PATH: process.env.PATH, ...args }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`RUN failed: ${result.stderr}`);
}

/** Every file below dir, relative, sorted. */
function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('Compose files against the Compose Specification schema', () => {
  const schema = JSON.parse(fs.readFileSync(contractFile('compose-spec.schema.json'), 'utf8'));
  // The schema declares "https://json-schema.org/draft-07/schema", a spelling Ajv's bundled
  // draft-07 meta-schema ("http://...#") does not answer to; it is draft-07, Ajv's default.
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it.each(COMPOSE_FILES)('%s is valid', (file) => {
    const valid = validate(loadCompose(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects what the schema forbids (the validator is live)', () => {
    expect(validate({ services: { redis: { image: 'redis:7-alpine', prots: ['6379:6379'] } } })).toBe(false);
    expect(validate({ services: { redis: { restart: 42 } } })).toBe(false);
    expect(validate({ services: { a: { depends_on: { b: { condition: 'service_healthy', required: 'no' } } } } })).toBe(false);
  });
});

describe('network exposure', () => {
  it('never publishes Redis and keeps it on internal networks only', () => {
    for (const file of [compose, dev, external]) {
      expect(file.services.redis?.ports).toBeUndefined();
      expect(file.services.redis?.expose).toBeUndefined();
      expect(file.services.redis?.network_mode).toBeUndefined();
    }
    const networks: string[] = compose.services.redis.networks;
    expect(networks.length).toBeGreaterThan(0);
    for (const n of networks) expect(compose.networks?.[n]?.internal).toBe(true);
  });

  it('publishes only web (and, in the observability profile, Grafana) in compose.yaml, on 127.0.0.1 by default', () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports !== undefined)
      .map(([name]) => name)
      .sort();
    expect(published).toEqual(['grafana', 'web']);
    expect(compose.services.grafana.profiles).toEqual(['observability']);
    expect(compose.services.grafana.ports.map((p: string) => interpolate(p, envExample))).toEqual(['127.0.0.1:3000:3000']);
    expect(compose.services.web.ports.map((p: string) => interpolate(p, {}))).toEqual(['127.0.0.1:8080:8080']);
    expect(compose.services.web.ports.map((p: string) => interpolate(p, envExample))).toEqual(['127.0.0.1:8080:8080']);
    expect(compose.services.web.ports.map((p: string) => interpolate(p, { WEB_BIND: '0.0.0.0' }))).toEqual(['0.0.0.0:8080:8080']);
    expect(Object.values(external.services).filter((s) => s.ports !== undefined)).toEqual([]);
  });

  it('publishes every port of compose.dev.yaml on 127.0.0.1 only', () => {
    const ports = Object.values(dev.services).flatMap((s) => (s.ports ?? []) as string[]);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) expect(interpolate(p, envExample)).toMatch(/^127\.0\.0\.1:\d+:\d+(\/udp)?$/);
    expect(dev.services.api.ports.map((p: string) => interpolate(p, {}))).toEqual(['127.0.0.1:8081:8080']);
  });

  it('lets the web container reach the api, and keeps sysmon and Redis without a route out', () => {
    const nets = (s: string) => compose.services[s].networks as string[];
    expect(nets('api').filter((n) => nets('web').includes(n))).not.toEqual([]);
    expect(compose.services.web.environment.API_UPSTREAM).toBe('http://api:8080');
    for (const s of ['sysmon', 'redis']) for (const n of nets(s)) expect(compose.networks?.[n]?.internal).toBe(true);
    for (const s of ['collector', 'snapshotter']) expect(nets(s).some((n) => compose.networks?.[n]?.internal !== true)).toBe(true);
    // The bundled MediaMTX and its clients share "upstream" with the collector and the snapshotter, and nothing else.
    for (const s of BUNDLED) expect(nets(s)).toEqual(['upstream']);
    expect(nets('collector')).toContain('upstream');
  });
});

describe('hardening and lifecycle', () => {
  const services = Object.entries(compose.services);

  it.each([...services, ...devOnly])('%s: restart, read-only root, no capabilities, no privilege gain, log rotation', (_name, s) => {
    expect(s.restart).toBe('unless-stopped');
    expect(s.read_only).toBe(true);
    expect(s.cap_drop).toEqual(['ALL']);
    expect(s.cap_add).toBeUndefined();
    expect(s.privileged).toBeUndefined();
    expect(s.security_opt).toContain('no-new-privileges:true');
    expect(s.logging.options['max-size']).toBeDefined();
  });

  it('runs an init process where children are spawned and the container has its own PID namespace', () => {
    for (const name of Object.keys(NODE_SERVICES)) {
      const s = compose.services[name];
      expect(s.init).toBe(s.pid !== 'host');
    }
    expect(compose.services.snapshotter.init).toBe(true);
    // ffmpeg as the entry point: the init process forwards SIGTERM to it.
    for (const name of ['testpattern', 'viewer']) expect(compose.services[name]).toMatchObject({ init: true, entrypoint: ['ffmpeg'] });
  });

  it.each([...services, ...devOnly])('%s: has a health check of its own in the Compose file', (_name, s) => {
    expect(s.healthcheck).toBeDefined();
    expect(s.healthcheck.disable).toBeUndefined();
    expect(['CMD', 'CMD-SHELL']).toContain(s.healthcheck.test[0]);
    expect(s.healthcheck.test.length).toBeGreaterThan(1);
    expect(s.healthcheck.interval).toMatch(/^\d+s$/);
  });

  it.each(HEARTBEAT_SERVICES)('%s: the health check reads the heartbeat the loop writes on its tmpfs, allowed several intervals', (name) => {
    const s = compose.services[name];
    expect(s.healthcheck.test).toEqual(['CMD', 'node', 'services/shared/dist/healthcheck.js']);
    const env = serviceEnvironment([compose], name, {});
    const mounts = (s.tmpfs as string[]).map((t) => t.split(':')[0]);
    expect(mounts.some((m) => env.HEARTBEAT_FILE.startsWith(`${m}/`))).toBe(true);
    const intervalMs = Number(env.COLLECT_INTERVAL_MS ?? env.SYSMON_INTERVAL_MS ?? env.SNAPSHOT_INTERVAL_MS ?? env.ALERT_INTERVAL_MS);
    expect(intervalMs).toBeGreaterThan(0);
    expect(Number(env.HEARTBEAT_MAX_AGE_MS)).toBeGreaterThanOrEqual(10 * intervalMs);
  });

  it('the heartbeat health check passes on a fresh heartbeat and fails on a stale or missing one', () => {
    const script = path.join(ROOT, 'services/shared/dist/healthcheck.js');
    expect({ built: fs.existsSync(script) }).toEqual({ built: true }); // make test builds before testing
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmon-heartbeat-'));
    try {
      const env = serviceEnvironment([compose], 'collector', {});
      const file = path.join(dir, path.basename(env.HEARTBEAT_FILE));
      const check = () => spawnSync(process.execPath, [script], { env: { ...env, HEARTBEAT_FILE: file } }).status;
      expect(check()).toBe(1);
      fs.writeFileSync(file, 'now\n');
      expect(check()).toBe(0);
      const old = (Date.now() - Number(env.HEARTBEAT_MAX_AGE_MS) - 5000) / 1000;
      fs.utimesSync(file, old, old);
      expect(check()).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the services from public images as a non-root user too', () => {
    const pulled = [...services, ...devOnly].filter(([, s]) => s.build === undefined);
    expect(pulled.map(([name]) => name).sort()).toEqual(['grafana', 'mediamtx', 'prometheus', 'redis', 'testpattern', 'viewer']);
    for (const [name, s] of pulled) {
      expect({ name, user: typeof s.user }).toEqual({ name, user: 'string' });
      expect(s.user).not.toMatch(/^(root|0)(:|$)/);
    }
  });

  it('waits for healthy dependencies only where the dependency has a health check', () => {
    for (const file of [compose, dev, external]) {
      for (const s of Object.values(file.services)) {
        for (const [dep, cond] of Object.entries((s.depends_on ?? {}) as Record<string, { condition: string }>)) {
          const target = { ...compose.services[dep], ...dev.services[dep] };
          expect({ dep, defined: Object.keys(target).length > 0 }).toEqual({ dep, defined: true });
          if (cond.condition === 'service_healthy') expect({ dep, healthy: target.healthcheck !== undefined }).toEqual({ dep, healthy: true });
        }
      }
    }
    const dependsOn = (s: string) => compose.services[s].depends_on;
    expect(dependsOn('web').api.condition).toBe('service_healthy');
    for (const s of Object.keys(NODE_SERVICES)) expect(dependsOn(s).redis.condition).toBe('service_healthy');
    expect(dependsOn('testpattern').mediamtx.condition).toBe('service_healthy');
    expect(dependsOn('viewer').testpattern.condition).toBe('service_healthy');
    // The bundled MediaMTX first, but not required: compose.external.yaml switches it off.
    for (const s of ['collector', 'snapshotter']) expect(dependsOn(s).mediamtx).toEqual({ condition: 'service_healthy', required: false });
  });

  it('gives sysmon the host view: host PID namespace, /proc/1/net/dev, a read-only Docker socket', () => {
    const s = compose.services.sysmon;
    expect(s.pid).toBe('host');
    expect(s.environment.SYSMON_NET_DEV_FILE).toBe('/proc/1/net/dev');
    expect(s.environment.DOCKER_SOCKET).toBe('/var/run/docker.sock');
    const socket = s.volumes.find((v: { target: string }) => v.target === s.environment.DOCKER_SOCKET);
    expect(socket).toMatchObject({ type: 'bind', read_only: true });
    expect(interpolate(socket.source, {})).toBe('/var/run/docker.sock');
    expect(s.user).toBeUndefined();
  });

  it('mounts redis/redis.conf into the Redis container and runs it as the image user redis', () => {
    const s = compose.services.redis;
    expect(s.image).toMatch(/^redis:7-alpine$/);
    expect(s.user).toBe('redis');
    const config = s.configs[0];
    expect(compose.configs?.[config.source]?.file).toBe('./redis/redis.conf');
    expect(s.command.slice(0, 2)).toEqual(['redis-server', config.target]);
  });

  it('builds every image from the repository root and runs the bundled MediaMTX from the official image, pinned', () => {
    for (const [, s] of buildServices(compose)) expect(s.build.context).toBe('.');
    for (const name of BUNDLED) expect(interpolate(compose.services[name].image, {})).toMatch(/^bluenviron\/mediamtx:\d+\.\d+\.\d+-ffmpeg$/);
    expect(interpolate(compose.services.mediamtx.image, {})).toBe(envExample.MEDIAMTX_IMAGE);
  });
});

describe('the bundled MediaMTX and its test pattern', () => {
  it('mounts mediamtx-test/mediamtx.yml: the API on, a monitor user with exactly the api and metrics actions, no password in the file', () => {
    const s = compose.services.mediamtx;
    expect(compose.configs?.[s.configs[0].source]?.file).toBe('./mediamtx-test/mediamtx.yml');
    expect(s.configs[0].target).toBe('/mediamtx.yml');
    expect(mediamtxYml).toMatchObject({ api: true, apiAddress: ':9997' });
    const monitor = mediamtxYml.authInternalUsers[1];
    expect(monitor.permissions.map((p) => p.action).sort()).toEqual(['api', 'metrics']);
    expect(monitor.pass).not.toBe('');
    expect(monitor.pass).not.toBe(null);
    // Besides the monitor, the API is open only from inside the container (its healthcheck).
    for (const [i, u] of mediamtxYml.authInternalUsers.entries()) {
      if (i === 1 || !u.permissions.some((p) => p.action === 'api')) continue;
      expect(u.ips.sort()).toEqual(['127.0.0.1', '::1']);
    }
    expect(Object.keys(mediamtxYml.paths)).toContain('testpattern');
  });

  it.each([
    ['.env.example', envExample],
    ['no .env', {}],
    ['a chosen password', { MEDIAMTX_API_PASS: 'S3cret:@/x' }],
  ] as [string, Env][])('gives MediaMTX the monitor user the collector logs in with (%s)', (_label, dotenv) => {
    const mtx = serviceEnvironment([compose], 'mediamtx', dotenv);
    const [node] = collectorConfig(serviceEnvironment([compose], 'collector', dotenv)).nodes;
    expect(node).toEqual({ id: 'local', baseUrl: 'http://mediamtx:9997', user: mtx.MTX_AUTHINTERNALUSERS_1_USER, pass: mtx.MTX_AUTHINTERNALUSERS_1_PASS });
    expect(node.pass).not.toBe('');
    if (dotenv.MEDIAMTX_API_PASS) expect(node.pass).toBe(dotenv.MEDIAMTX_API_PASS);
    // The publisher's health check asks MediaMTX with the same user.
    const publisher = serviceEnvironment([compose], 'testpattern', dotenv);
    expect([publisher.MEDIAMTX_API_USER, publisher.MEDIAMTX_API_PASS]).toEqual([node.user, node.pass]);
  });

  it('publishes a moving test picture with a tone over SRT, and the viewer reads it over SRT', () => {
    const publisher: string[] = compose.services.testpattern.command;
    const inputs = publisher.filter((_a, i) => publisher[i - 1] === '-i');
    expect(inputs).toEqual([expect.stringMatching(/^testsrc2=/), expect.stringMatching(/^sine=/)]);
    expect(publisher.at(-1)).toMatch(/^srt:\/\/mediamtx:8890\?streamid=publish:testpattern(&|$)/);
    const viewer: string[] = compose.services.viewer.command;
    expect(viewer[viewer.indexOf('-i') + 1]).toBe('srt://mediamtx:8890?streamid=read:testpattern');
    expect(compose.services.testpattern.healthcheck.test.join(' ')).toContain('/v3/paths/get/testpattern');
  });

  it('the viewer health check passes on a fresh segment and fails on a stale or missing one', () => {
    const [, command] = compose.services.viewer.healthcheck.test as string[];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmon-viewer-'));
    try {
      const check = () => spawnSync('sh', ['-c', interpolate(command, {}).replaceAll('/tmp/', `${dir}/`)], { stdio: 'ignore' }).status;
      expect(check()).not.toBe(0);
      fs.writeFileSync(path.join(dir, 'segment0.ts'), 'x');
      expect(check()).toBe(0);
      const old = Date.now() / 1000 - 60;
      fs.utimesSync(path.join(dir, 'segment0.ts'), old, old);
      expect(check()).not.toBe(0);
      fs.writeFileSync(path.join(dir, 'segment1.ts'), 'x');
      expect(check()).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compose.external.yaml switches the bundled MediaMTX off and points the collector at yours, with your credentials only', () => {
    for (const name of BUNDLED) expect(external.services[name]).toEqual({ profiles: [expect.any(String)] });
    const profiles = new Set(Object.values(compose.services).flatMap((s) => (s.profiles ?? []) as string[]));
    expect([...profiles]).toEqual(['observability']); // nothing in compose.yaml enables the profile that switches MediaMTX off
    const files = [compose, external];
    expect(collectorConfig(serviceEnvironment(files, 'collector', {})).nodes).toEqual([{ id: 'local', baseUrl: 'http://host.docker.internal:9997' }]);
    expect(
      collectorConfig(serviceEnvironment(files, 'collector', { MEDIAMTX_API_URL: 'http://10.0.0.5:9997', MEDIAMTX_API_USER: 'mon', MEDIAMTX_API_PASS: 'pw' })).nodes,
    ).toEqual([{ id: 'local', baseUrl: 'http://10.0.0.5:9997', user: 'mon', pass: 'pw' }]);
    expect(snapshotterConfig(serviceEnvironment(files, 'snapshotter', {})).nodes).toEqual([{ id: 'local', host: 'host.docker.internal' }]);
    for (const s of ['collector', 'snapshotter']) expect(external.services[s].extra_hosts).toEqual(['host.docker.internal:host-gateway']);
  });
});

describe('Dockerfiles', () => {
  const built = buildServices(compose);
  /** Every image either file builds, the emulator included. */
  const images = [...built, ...devOnly.filter(([, s]) => s.build !== undefined)];
  const ignoreRules = dockerignoreRules();
  const rootPkg = JSON.parse(read('package.json')) as { workspaces: string[] };
  /** Where a built Node service lives: build argument SERVICE_DIR, else services/<SERVICE>. */
  const serviceDir = (s: Service): string => s.build.args.SERVICE_DIR ?? `services/${s.build.args.SERVICE}`;

  it('builds the Node services from the one shared ./Dockerfile, chosen by SERVICE; nginx from services/web/Dockerfile; no copies', () => {
    expect(built.map(([name]) => name).sort()).toEqual(['alerter', 'api', 'collector', 'snapshotter', 'sysmon', 'web']);
    for (const [name, s] of built) {
      if (name === 'web') expect(dockerfileOf(s)).toBe('services/web/Dockerfile');
      else expect({ name, file: dockerfileOf(s), args: s.build.args }).toEqual({ name, file: 'Dockerfile', args: { SERVICE: name } });
    }
    const dockerfiles = fs.readdirSync(path.join(ROOT, 'services')).filter((d) => fs.existsSync(path.join(ROOT, 'services', d, 'Dockerfile')));
    expect(dockerfiles).toEqual(['web']);
  });

  it('builds the emulator from mediamtx-test/ with the same Dockerfile under the profile "emulator"', () => {
    const emulator = dev.services['mediamtx-emulator'];
    expect(emulator.profiles).toEqual(['emulator']);
    expect(dockerfileOf(emulator)).toBe('Dockerfile');
    expect(emulator.build.args).toEqual({ SERVICE: 'mediamtx-test', SERVICE_DIR: 'mediamtx-test' });
    expect(JSON.parse(read('mediamtx-test/package.json')).name).toBe('@mmon/mediamtx-test');
  });

  it.each(images)('%s: the final stage runs as a non-root user', (_name, service) => {
    const { stages } = parseDockerfile(dockerfileText(service));
    const last = stages.length - 1;
    const user = stageUser(stages, last);
    if (user === undefined) expect(stages[last].base).toMatch(/^nginxinc\/nginx-unprivileged:/);
    else expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it.each(images)('%s: COPY sources exist and are not excluded by .dockerignore', (_name, service) => {
    const sources = contextSources(parseDockerfile(dockerfileText(service)).stages);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect({ src, exists: fs.existsSync(path.join(ROOT, src)) }).toEqual({ src, exists: true });
      expect({ src, ignored: dockerIgnored(ignoreRules, path.posix.normalize(src)) }).toEqual({ src, ignored: false });
    }
  });

  it.each(images)('%s: lint: tagged base images, npm ci only, apt-get update with its install, no recommends', (_name, service) => {
    const { stages } = parseDockerfile(dockerfileText(service));
    const stageNames = stages.map((st) => st.name);
    for (const { base } of stages) {
      if (stageNames.includes(base)) continue;
      expect(base).toMatch(/^[^:@\s]+[:@][^\s]+$/);
      expect(base).not.toMatch(/:latest$/);
    }
    for (const { cmd, args } of stages.flatMap((st) => st.instructions)) {
      if (cmd === 'ADD') expect(args).not.toMatch(/https?:\/\//);
      if (cmd !== 'RUN') continue;
      expect(args).not.toMatch(/\bnpm (install|i)\b|\bsudo\b|apt-get (dist-)?upgrade/);
      if (/apt-get install/.test(args)) {
        expect(args).toMatch(/apt-get update/);
        expect(args).toMatch(/--no-install-recommends/);
      }
    }
  });

  it('keeps build outputs, local installs, tests and the e2e suite out of the build context', () => {
    for (const p of ['node_modules', 'services/api/node_modules', 'services/shared/dist', 'services/api/dist/main.js', 'services/api/test/api.test.ts', 'services/web/public/vendor/uPlot.esm.js', 'e2e/suite.ts', '.env', '.git'])
      expect({ p, ignored: dockerIgnored(ignoreRules, p) }).toEqual({ p, ignored: true });
    for (const p of ['.env.example', 'services/api/src/main.ts', 'services/web/public/index.html', 'mediamtx-test/src/main.ts'])
      expect({ p, ignored: dockerIgnored(ignoreRules, p) }).toEqual({ p, ignored: false });
  });

  it('the shared Dockerfile: npm ci with every workspace manifest, tsc -b once for all, production deps of SERVICE only', () => {
    const { args, stages } = parseDockerfile(read('Dockerfile'));
    expect(args.NODE_IMAGE).toBe('node:20-bookworm-slim');
    // The build context holds every workspace (npm ci checks the lock file against all of them).
    const copied = contextSources(stages);
    for (const ws of rootPkg.workspaces) expect({ ws, copied: copied.some((c) => ws === c || ws.startsWith(`${c}/`)) }).toEqual({ ws, copied: true });
    const runs = (name: string) => stage(stages, name).instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args);
    expect(runs('build')).toEqual(['npm ci --no-audit --no-fund', 'npx tsc -b', 'npm run build -w @mmon/web']);
    expect(stage(stages, 'build').instructions.some((i) => i.cmd === 'ARG')).toBe(false); // one build for every image
    expect(runs('deps')).toEqual([expect.stringContaining('npm ci --omit=dev --workspace "@mmon/$SERVICE" --include-workspace-root=false')]);
    expect(read('tsconfig.json')).toContain('"references"');
    const final = stages.at(-1)!;
    expect(final.base).toBe('node:20-bookworm-slim');
    expect(final.instructions.filter((i) => i.cmd === 'COPY').map((i) => i.args)).toEqual(['--from=deps /app ./', '--from=files /out ./']);
    expect(final.instructions.find((i) => i.cmd === 'ENV')?.args).toContain('SERVICE_MAIN=${SERVICE_DIR}/dist/main.js');
    expect(final.instructions.find((i) => i.cmd === 'CMD')?.args).toBe('["sh", "-c", "exec node \\"$SERVICE_MAIN\\""]');
  });

  it('the shared Dockerfile takes along the manifest of every workspace (its RUN, run here)', () => {
    const { stages } = parseDockerfile(read('Dockerfile'));
    const [script] = stage(stages, 'sources').instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmon-manifests-'));
    try {
      runInstruction(script, ROOT, dir, {});
      const found = listFiles(path.join(dir, 'manifests'));
      for (const ws of rootPkg.workspaces.filter((w) => fs.existsSync(path.join(ROOT, w, 'package.json'))))
        expect(found).toContain(`${ws}/package.json`);
      expect(found).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
      expect(found.every((f) => path.basename(f).startsWith('package'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([...Object.keys(NODE_SERVICES), 'mediamtx-emulator'])('%s: the image holds shared/dist, its own dist/main.js (built by tsc -b from src/main.ts) and nothing else it does not run', (name) => {
    const service = name === 'mediamtx-emulator' ? dev.services[name] : compose.services[name];
    const dir = serviceDir(service);
    const tsconfig = JSON.parse(read(`${dir}/tsconfig.json`));
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(fs.existsSync(path.join(ROOT, dir, 'src/main.ts'))).toBe(true);
    expect(JSON.parse(read('tsconfig.json')).references).toContainEqual({ path: dir });
    // The files stage's RUN, in a scratch tree shaped like the build stage's.
    const { stages } = parseDockerfile(read('Dockerfile'));
    const [script] = stage(stages, 'files').instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args);
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'mmon-files-'));
    try {
      for (const f of ['services/shared/dist/healthcheck.js', `${dir}/dist/main.js`, `${dir}/src/main.ts`, 'services/web/public/index.html', 'services/other/dist/main.js'])
        fs.mkdirSync(path.dirname(path.join(tree, 'build', f)), { recursive: true }), fs.writeFileSync(path.join(tree, 'build', f), '');
      runInstruction(script, path.join(tree, 'build'), tree, { SERVICE: service.build.args.SERVICE, SERVICE_DIR: dir });
      const expected = ['services/shared/dist/healthcheck.js', `${dir}/dist/main.js`, ...(name === 'api' ? ['services/web/public/index.html'] : [])];
      expect(listFiles(path.join(tree, 'out'))).toEqual(expected.sort());
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });

  it('api: the health check passes on 200 from /api/health and fails on 503 or no answer', async () => {
    const argv = compose.services.api.healthcheck.test.slice(1) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    let status = 200;
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const run = (apiPort: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, argv.slice(1), { env: { ...serviceEnvironment([compose], 'api', {}), API_PORT: String(apiPort) }, stdio: 'ignore' });
        child.once('exit', (code) => resolve(code));
      });
    try {
      expect(await run(port)).toBe(0);
      status = 503;
      expect(await run(port)).toBe(1);
      expect(seen).toEqual(['/api/health', '/api/health']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await run(port)).toBe(1);
    expect(serviceEnvironment([compose], 'api', {}).API_PORT).toBe('8080');
    // nginx, another container, proxies to it: the api must listen beyond loopback.
    expect(apiConfig(serviceEnvironment([compose], 'api', {})).host).toBe('0.0.0.0');
  });

  it('installs ffmpeg without recommends in the snapshotter image only', () => {
    const final = parseDockerfile(read('Dockerfile')).stages.at(-1)!;
    const apt = final.instructions.find((i) => i.cmd === 'RUN' && i.args.includes('apt-get install'));
    expect(apt?.args).toMatch(/^if \[ "\$SERVICE" = snapshotter \]; then/);
    expect(apt?.args).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    expect(apt?.args).toContain('rm -rf /var/lib/apt/lists/*');
  });

  it('serves the dashboard from nginx-unprivileged with the API_UPSTREAM template, /api/ and /metrics proxied', () => {
    const { stages } = parsedDockerfile('web');
    const runs = stage(stages, 'vendor').instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args);
    expect(runs).toContain('npm run build -w @mmon/web'); // copies the chart library into public/vendor
    const final = stages.at(-1)!;
    expect(final.base).toMatch(/^nginxinc\/nginx-unprivileged:/);
    const copies = final.instructions.filter((i) => i.cmd === 'COPY').map((i) => i.args);
    expect(copies).toEqual([
      'services/web/nginx/default.conf.template /etc/nginx/templates/default.conf.template',
      '--from=vendor /app/services/web/public /usr/share/nginx/html',
    ]);
    const template = read('services/web/nginx/default.conf.template');
    const location = (name: string) => new RegExp(`location ${name} \\{[^}]*proxy_pass \\$\\{API_UPSTREAM\\};[^}]*\\}`).exec(template)?.[0];
    expect(location('/api/')).toBeDefined();
    // /metrics: proxied and, without add_header of its own, with the server's security headers.
    expect(location('= /metrics')).toBeDefined();
    expect(location('= /metrics')).not.toContain('add_header');
  });
});

describe('.env.example', () => {
  it.each(COMPOSE_FILES)('has a line for every ${VAR} in %s', (file) => {
    const vars = referencedVariables(read(file));
    expect(vars.length).toBeGreaterThan(0);
    expect(vars.filter((v) => !(v in envExample))).toEqual([]);
  });

  it('commits no secret: secret-like variables are empty and no URL carries a password', () => {
    const secretName = /PASS|PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL/i;
    for (const [k, v] of Object.entries(envExample)) {
      if (secretName.test(k)) expect({ k, v }).toEqual({ k, v: '' });
      expect({ k, v }).not.toEqual({ k, v: expect.stringMatching(/\/\/[^/\s@]*:[^/\s@]*@/) });
    }
    expect(read('.gitignore')).toMatch(/^\.env$/m);
  });

  it('documents the switch to your own MediaMTX', () => {
    expect(read('.env.example')).toContain('# COMPOSE_FILE=compose.yaml:compose.external.yaml');
  });

  const dotenvs: [string, Env][] = [
    ['.env.example', envExample],
    ['no .env', {}],
  ];
  describe.each(dotenvs)('with %s', (_label, dotenv) => {
    it.each(Object.keys(NODE_SERVICES) as (keyof typeof NODE_SERVICES)[])(
      '%s accepts the environment compose.yaml gives it (alone, with compose.dev.yaml, with compose.external.yaml)',
      (name) => {
        for (const files of [[compose], [compose, dev], [compose, external]]) {
          const env = serviceEnvironment(files, name, dotenv);
          expect(env.REDIS_URL).toBe('redis://redis:6379/0');
          expect(() => NODE_SERVICES[name](env)).not.toThrow();
        }
      },
    );
  });

  it.each(Object.keys(NODE_SERVICES))('%s: every variable Compose passes is one the service (or the shared library) reads', (name) => {
    const sources = [`services/${name}/src`, 'services/shared/src']
      .flatMap((dir) => (fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => read(path.join(dir, f))))
      .join('\n');
    const passed = [compose, dev, external].flatMap((file) => Object.keys(file.services[name]?.environment ?? {}));
    expect(passed.filter((v) => !new RegExp(`\\b${v}\\b`).test(sources))).toEqual([]);
  });

  it('points the collector and the snapshotter at the bundled MediaMTX by default, also with compose.dev.yaml', () => {
    for (const files of [[compose], [compose, dev]]) {
      expect(collectorConfig(serviceEnvironment(files, 'collector', {})).nodes).toEqual([
        { id: 'local', baseUrl: 'http://mediamtx:9997', user: 'monitor', pass: 'monitor-demo' },
      ]);
      const snapshotter = snapshotterConfig(serviceEnvironment(files, 'snapshotter', {}));
      expect(snapshotter.nodes).toEqual([{ id: 'local', host: 'mediamtx' }]);
      expect(snapshotter.sourceTemplate).toBe('rtsp://{host}:8554/{name}');
    }
    expect(apiConfig(serviceEnvironment([compose, dev], 'api', {}))).toMatchObject({ port: 8080, logLevel: 'debug' });
  });
});

describe('redis/redis.conf in a real redis-server', () => {
  let dir: string;
  let child: ReturnType<typeof spawn>;
  let redis: Redis;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmon-redis-conf-'));
    const port = await freePort();
    // As compose runs it (config file, then --maxmemory), but on loopback and in a scratch dir.
    const { command } = compose.services.redis;
    const maxmemory = interpolate(command[3], {});
    child = spawn('redis-server', [path.join(ROOT, 'redis/redis.conf'), '--maxmemory', maxmemory, '--bind', '127.0.0.1', '--port', String(port)], {
      cwd: dir,
      stdio: 'ignore',
    });
    await waitForPort(port);
    redis = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    await redis.connect();
  });

  afterAll(async () => {
    redis?.disconnect();
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('persists nothing and evicts least recently used keys under a memory ceiling', async () => {
    const get = async (key: string) => ((await redis.config('GET', key)) as string[])[1];
    expect(await get('save')).toBe('');
    expect(await get('appendonly')).toBe('no');
    expect(await get('maxmemory-policy')).toBe('allkeys-lru');
    expect(await get('maxmemory')).toBe(String(256 * 1024 * 1024));
    expect(await get('protected-mode')).toBe('no');
    await redis.set('mmon:probe', 'ok');
    expect(await redis.get('mmon:probe')).toBe('ok');
  });

  it('leaves nothing on disk after a shutdown', async () => {
    const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    // Redis closes the connection instead of answering.
    void redis.call('SHUTDOWN').catch(() => undefined);
    await exited;
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('files Compose hands to services', () => {
  it('mounts the alerter\'s rules file and the api\'s users file where their variables point, only when set', () => {
    const cases: [string, string, string, string][] = [
      ['alerter', 'ALERT_RULES_FILE', 'alert_rules', '/run/configs/alert-rules.yaml'],
      ['api', 'MONITOR_USERS_FILE', 'monitor_users', '/run/secrets/monitor_users'],
    ];
    for (const [service, variable, source, target] of cases) {
      const s = compose.services[service];
      const mounts = [...(s.configs ?? []), ...(s.secrets ?? [])] as { source: string; target: string }[];
      expect(mounts).toContainEqual({ source, target });
      expect(serviceEnvironment([compose], service, {})[variable]).toBe('');
      expect(serviceEnvironment([compose], service, { [variable]: './mine.yaml' })[variable]).toBe(target);
      const file = (compose.configs?.[source] ?? compose.secrets?.[source]) as { file: string };
      expect(interpolate(file.file, { [variable]: './mine.yaml' })).toBe('./mine.yaml');
    }
    expect(compose.services.alerter.env_file).toEqual([{ path: './alerter.env', required: false }]);
  });
});
