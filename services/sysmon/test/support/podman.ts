import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A real Docker Engine API for tests: podman's compatible service on a private unix socket, and
 * containers from a tiny image built from the host's static busybox. Needs the Debian packages
 * podman, runc and busybox-static; without them the test fails with a message naming them.
 *
 * Containers run with runc: Debian 12's crun refuses hosts with a hybrid cgroup layout ("cgroups in
 * hybrid mode not supported"), runc handles v1, hybrid and v2. Their ulimits are set explicitly:
 * podman's defaults (1048576) cannot be set without CAP_SYS_RESOURCE, which sandboxes and CI
 * containers often lack ("setrlimit RLIMIT_NPROC: operation not permitted").
 */
const run = promisify(execFile);
const PACKAGES = 'apt-get install podman runc busybox-static';
export const BUSYBOX_IMAGE = 'localhost/mmon-busybox-static:latest';

function requireTool(command: string, args: string[]): void {
  const res = spawnSync(command, args, { stdio: 'ignore' });
  if (res.error || res.status !== 0) {
    throw new Error(`"${command}" is not usable (${res.error?.message ?? `exit ${res.status}`}); the container test needs a real Docker Engine API: ${PACKAGES}`);
  }
}

export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** podman system service on a unix socket of its own; stop() ends it. */
export class PodmanService {
  private constructor(
    private readonly child: ChildProcess,
    readonly socketPath: string,
  ) {}

  static async start(): Promise<PodmanService> {
    requireTool('podman', ['--version']);
    requireTool('runc', ['--version']);
    const socketPath = path.join(os.tmpdir(), `mmon-sysmon-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
    const output: string[] = [];
    const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socketPath}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    const service = new PodmanService(child, socketPath);
    const deadline = Date.now() + 20000;
    while (!(await ping(socketPath))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await service.stop();
        throw new Error(`podman system service did not answer on ${socketPath}: ${output.join('').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return service;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once('exit', () => resolve());
        this.child.kill('SIGTERM');
      });
    }
    await rm(this.socketPath, { force: true });
  }
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** Imports BUSYBOX_IMAGE (once) from a rootfs holding the static /bin/busybox and the applets used. */
export async function ensureBusyboxImage(busybox = '/bin/busybox'): Promise<string> {
  requireTool('podman', ['--version']);
  const ldd = spawnSync('ldd', [busybox], { encoding: 'utf8' });
  if (ldd.error || !/not a dynamic executable|statically linked/.test(`${ldd.stdout}${ldd.stderr}`)) {
    throw new Error(`${busybox} is missing or not statically linked: ${PACKAGES}`);
  }
  if (spawnSync('podman', ['image', 'exists', BUSYBOX_IMAGE]).status === 0) return BUSYBOX_IMAGE;
  const root = await mkdtemp(path.join(os.tmpdir(), 'mmon-busybox-'));
  try {
    await mkdir(path.join(root, 'bin'));
    await copyFile(busybox, path.join(root, 'bin/busybox'));
    for (const applet of ['sh', 'sleep']) await symlink('busybox', path.join(root, 'bin', applet));
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const imp = spawn('podman', ['import', '-', BUSYBOX_IMAGE], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      imp.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      tar.stdout?.pipe(imp.stdin!);
      imp.on('error', reject);
      imp.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`podman import failed: ${err}`))));
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return BUSYBOX_IMAGE;
}

/**
 * podman run/create options that work on this host (see above). The limits are low and fixed: lowering
 * is always allowed, and podman itself may run with a hard limit below this process's.
 */
export const HOST_SAFE_RUN_OPTIONS = ['--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

/** A unique container name for this test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function removeContainers(names: string[]): Promise<void> {
  if (names.length > 0) await podman('rm', '--force', '--ignore', '--time', '0', ...names);
}
