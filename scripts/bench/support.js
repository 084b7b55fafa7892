// What the benchmarks share: free loopback ports, waiting for a port to open, a redis-server of
// their own, and a process's CPU time and resident memory from /proc.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

/** A port free on 127.0.0.1 right now. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once 127.0.0.1:port accepts a connection, trying every 50 ms `attempts` times. */
async function waitPort(port, attempts = 200) {
  for (let i = 0; i < attempts; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`port ${port} never opened`);
}

/**
 * A redis-server without persistence on a free loopback port, listening when this resolves:
 * { port, url, server }. `launch(command, args)` starts it (default: spawned with no output) and its
 * result is `server`; `children`, when given, gets `server` before the wait, so an exit handler
 * that kills them covers a server that never opens. `attempts` as for waitPort.
 */
async function startRedis({ launch = (cmd, args) => spawn(cmd, args, { stdio: 'ignore' }), children, attempts } = {}) {
  const port = await freePort();
  const server = launch('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  children?.push(server);
  await waitPort(port, attempts);
  return { port, url: `redis://127.0.0.1:${port}/0`, server };
}

let clkTck;
/** user + system CPU seconds of a process, from /proc/<pid>/stat (utime and stime, fields 14 and 15). */
function cpuSeconds(pid) {
  clkTck ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}

/** Resident memory of a process in MB, from /proc/<pid>/status. */
const rssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);

module.exports = { freePort, sleep, waitPort, startRedis, cpuSeconds, rssMb };
