/**
 * The container side without a Docker engine: compose.yaml and compose.dev.yaml against the Compose
 * Specification's JSON schema, the stack's security rules, the Dockerfiles (non-root final stage,
 * COPY sources that exist and survive .dockerignore, entry points the TypeScript build produces),
 * .env.example against every ${VAR} and every service's config reader, and redis/redis.conf in a
 * real redis-server.
 */
import { spawn } from 'node:child_process';
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

const ROOT = path.resolve(__dirname, '../../..');
const COMPOSE_FILES = ['compose.yaml', 'compose.dev.yaml'] as const;

type Env = Record<string, string>;
type Service = Record<string, any>;
interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  networks?: Record<string, { internal?: boolean } | null>;
  configs?: Record<string, { file?: string; content?: string }>;
}

const NODE_SERVICES = {
  collector: collectorConfig,
  sysmon: sysmonConfig,
  snapshotter: snapshotterConfig,
  api: apiConfig,
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
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (whole, name, op, fallback) => {
    if (whole === '$$') return '$';
    const v = env[name as string];
    if (op === ':-') return v === undefined || v === '' ? (fallback as string) : v;
    if (op === '-') return v === undefined ? (fallback as string) : v;
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
const envExample = parseEnvFile(read('.env.example'));

function buildServices(file: ComposeFile): [string, Service][] {
  return Object.entries(file.services).filter(([, s]) => s.build !== undefined);
}

function dockerfileOf(service: Service): string {
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return path.posix.join(build.context, build.dockerfile ?? 'Dockerfile');
}

/** The Dockerfile text of a built service: its build.dockerfile_inline or the file. */
function dockerfileText(service: Service): string {
  return service.build.dockerfile_inline ?? read(dockerfileOf(service));
}

function parsedDockerfile(service: string) {
  return parseDockerfile(dockerfileText(compose.services[service]));
}

/** Services only compose.dev.yaml defines (MediaMTX, the emulator). */
const devOnly = Object.entries(dev.services).filter(([name]) => compose.services[name] === undefined);

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
  });
});

describe('network exposure', () => {
  it('never publishes Redis and keeps it on internal networks only', () => {
    for (const file of [compose, dev]) {
      expect(file.services.redis?.ports).toBeUndefined();
      expect(file.services.redis?.expose).toBeUndefined();
      expect(file.services.redis?.network_mode).toBeUndefined();
    }
    const networks: string[] = compose.services.redis.networks;
    expect(networks.length).toBeGreaterThan(0);
    for (const n of networks) expect(compose.networks?.[n]?.internal).toBe(true);
  });

  it('publishes only web in compose.yaml, on port 8080 inside the container', () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports !== undefined)
      .map(([name]) => name);
    expect(published).toEqual(['web']);
    expect(compose.services.web.ports.map((p: string) => interpolate(p, {}))).toEqual(['0.0.0.0:8080:8080']);
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
    expect(dev.services.mediamtx.networks).toEqual(expect.arrayContaining(nets('collector').filter((n) => n !== 'backend')));
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
  });

  it('gives every service a health check or the reason it has none', () => {
    for (const [name, s] of [...services, ...devOnly]) {
      const inCompose = s.healthcheck !== undefined && s.healthcheck.disable !== true;
      const inImage =
        s.build !== undefined &&
        parseDockerfile(dockerfileText(s)).stages.at(-1)!.instructions.some((i) => i.cmd === 'HEALTHCHECK' && !/^NONE\b/i.test(i.args));
      const reason = typeof s['x-healthcheck-reason'] === 'string' && s['x-healthcheck-reason'].length > 20;
      expect({ name, covered: inCompose || inImage || reason }).toEqual({ name, covered: true });
    }
  });

  it('runs the services from public images as a non-root user too', () => {
    const pulled = [...services, ...devOnly].filter(([, s]) => s.build === undefined);
    expect(pulled.map(([name]) => name).sort()).toEqual(['mediamtx', 'redis']);
    for (const [name, s] of pulled) {
      expect({ name, user: typeof s.user }).toEqual({ name, user: 'string' });
      expect(s.user).not.toMatch(/^(root|0)(:|$)/);
    }
  });

  it('waits for healthy dependencies only where the dependency has a health check', () => {
    for (const file of [compose, dev]) {
      for (const s of Object.values(file.services)) {
        for (const [dep, cond] of Object.entries((s.depends_on ?? {}) as Record<string, { condition: string }>)) {
          // The dependency as the merged files define it: build from compose.yaml, additions from compose.dev.yaml.
          const target = { ...compose.services[dep], ...dev.services[dep] };
          expect({ dep, defined: Object.keys(target).length > 0 }).toEqual({ dep, defined: true });
          if (cond.condition !== 'service_healthy') continue;
          const own = target.healthcheck !== undefined;
          const image = target.build !== undefined && /^HEALTHCHECK /m.test(dockerfileText(target));
          expect({ dep, healthy: own || image }).toEqual({ dep, healthy: true });
        }
      }
    }
    expect(compose.services.web.depends_on.api.condition).toBe('service_healthy');
    expect(compose.services.api.depends_on.redis.condition).toBe('service_healthy');
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

  it('builds every image from the repository root and the dev MediaMTX from the official image', () => {
    for (const [, s] of buildServices(compose)) expect(s.build.context).toBe('.');
    expect(interpolate(dev.services.mediamtx.image, {})).toMatch(/^bluenviron\/mediamtx:/);
  });
});

describe('Dockerfiles', () => {
  const built = buildServices(compose);
  /** Every image either file builds, the emulator's inline Dockerfile included. */
  const images = [...built, ...devOnly.filter(([, s]) => s.build !== undefined)];
  const ignoreRules = dockerignoreRules();
  const rootPkg = JSON.parse(read('package.json')) as { workspaces: string[] };

  it('exist for every built service, one per service', () => {
    expect(built.map(([name]) => name).sort()).toEqual(['api', 'collector', 'snapshotter', 'sysmon', 'web']);
    for (const [name, s] of built) expect(dockerfileOf(s)).toBe(`services/${name}/Dockerfile`);
  });

  it('builds the emulator from mediamtx-test/ under the profile "emulator"', () => {
    expect(images.map(([name]) => name)).toContain('mediamtx-emulator');
    const emulator = dev.services['mediamtx-emulator'];
    expect(emulator.profiles).toEqual(['emulator']);
    const { stages } = parseDockerfile(dockerfileText(emulator));
    expect(stages.at(-1)!.instructions.find((i) => i.cmd === 'CMD')?.args).toBe('["node", "mediamtx-test/dist/main.js"]');
    expect(fs.existsSync(path.join(ROOT, 'mediamtx-test/src/main.ts'))).toBe(true);
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

  it('keeps build outputs and local installs out of the build context', () => {
    for (const p of ['node_modules', 'services/api/node_modules', 'services/shared/dist', 'services/api/dist/main.js', '.env', '.git'])
      expect({ p, ignored: dockerIgnored(ignoreRules, p) }).toEqual({ p, ignored: true });
    expect(dockerIgnored(ignoreRules, '.env.example')).toBe(false);
  });

  it.each(Object.keys(NODE_SERVICES))('%s: builds with npm ci + tsc -b, ships production deps only, runs dist/main.js', (name) => {
    const { args, stages } = parsedDockerfile(name);
    expect(args.NODE_IMAGE).toBe('node:20-bookworm-slim');
    const runs = stages.flatMap((s) => s.instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args));
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain(`npx tsc -b services/${name}`);
    expect(runs.some((r) => r.startsWith(`npm ci --omit=dev --workspace @mmon/${name} --include-workspace-root=false`))).toBe(true);
    // npm ci checks the lock file against every workspace, so each manifest must be in the build.
    const sources = contextSources(stages);
    for (const ws of rootPkg.workspaces) expect(sources).toContain(`${ws}/package.json`);
    const final = stages.at(-1)!;
    expect(final.base).toBe('node:20-bookworm-slim');
    expect(final.instructions.find((i) => i.cmd === 'CMD')?.args).toBe(`["node", "services/${name}/dist/main.js"]`);
    // The entry point tsc -b emits: services/<name>/src/main.ts -> dist/main.js (rootDir src, outDir dist).
    const tsconfig = JSON.parse(read(`services/${name}/tsconfig.json`));
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(fs.existsSync(path.join(ROOT, `services/${name}/src/main.ts`))).toBe(true);
    const copiesFromBuild = final.instructions.filter((i) => i.cmd === 'COPY' && i.args.includes('--from=build')).map((i) => i.args);
    expect(copiesFromBuild).toEqual([
      '--from=build /app/services/shared/dist services/shared/dist',
      `--from=build /app/services/${name}/dist services/${name}/dist`,
      // the api also serves the dashboard, whose chart library is built into public/vendor
      ...(name === 'api' ? ['--from=build /app/services/web/public/vendor services/web/public/vendor'] : []),
    ]);
  });

  it('api: the HEALTHCHECK command passes on 200 from /api/health and fails on 503 or no answer', async () => {
    const check = parsedDockerfile('api').stages.at(-1)!.instructions.find((i) => i.cmd === 'HEALTHCHECK')!;
    const argv = JSON.parse(/\bCMD\s+(\[.*\])$/.exec(check.args)![1]) as string[];
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
        const child = spawn(process.execPath, argv.slice(1), { env: { ...process.env, API_PORT: String(apiPort) }, stdio: 'ignore' });
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
  });

  it('installs ffmpeg without recommends in the snapshotter runtime', () => {
    const final = parsedDockerfile('snapshotter').stages.at(-1)!;
    const apt = final.instructions.find((i) => i.cmd === 'RUN' && i.args.includes('apt-get install'));
    expect(apt?.args).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    expect(apt?.args).toContain('rm -rf /var/lib/apt/lists/*');
  });

  it('serves the dashboard from nginx-unprivileged with the API_UPSTREAM template', () => {
    const { stages } = parsedDockerfile('web');
    expect(stages).toHaveLength(2);
    const runs = stages[0].instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args);
    expect(runs).toContain('npm run build -w @mmon/web'); // copies the chart library into public/vendor
    const copies = stages[1].instructions.filter((i) => i.cmd === 'COPY').map((i) => i.args);
    expect(copies).toEqual([
      'services/web/nginx/default.conf.template /etc/nginx/templates/default.conf.template',
      '--from=vendor /app/services/web/public /usr/share/nginx/html',
    ]);
    expect(read('services/web/nginx/default.conf.template')).toContain('${API_UPSTREAM}');
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

  const dotenvs: [string, Env][] = [
    ['.env.example', envExample],
    ['no .env', {}],
  ];
  describe.each(dotenvs)('with %s', (_label, dotenv) => {
    it.each(Object.keys(NODE_SERVICES) as (keyof typeof NODE_SERVICES)[])(
      '%s accepts the environment compose.yaml (and with compose.dev.yaml) gives it',
      (name) => {
        for (const files of [[compose], [compose, dev]]) {
          const env = serviceEnvironment(files, name, dotenv);
          expect(env.REDIS_URL).toBe('redis://redis:6379/0');
          expect(() => NODE_SERVICES[name](env)).not.toThrow();
        }
      },
    );
  });

  it('points the collector at the host MediaMTX by default and at the dev container in compose.dev.yaml', () => {
    expect(collectorConfig(serviceEnvironment([compose], 'collector', {})).nodes).toEqual([
      { id: 'local', baseUrl: 'http://host.docker.internal:9997' },
    ]);
    expect(collectorConfig(serviceEnvironment([compose, dev], 'collector', {})).nodes).toEqual([
      { id: 'local', baseUrl: 'http://mediamtx:9997' },
    ]);
    expect(snapshotterConfig(serviceEnvironment([compose, dev], 'snapshotter', {})).sourceTemplate).toBe('rtsp://mediamtx:8554/{name}');
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
