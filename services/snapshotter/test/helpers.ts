import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '@mmon/shared';

/**
 * A real ffmpeg publishing a test pattern as an SRT listener (on a loopback address, 127.0.0.1
 * unless told, in a size, 640x360 unless told). ffmpeg serves one caller and ends when it leaves,
 * so the publisher is started again after every exit until stop().
 */
export class SrtPublisher {
  readonly pids = new Set<number>();
  readonly host: string;
  readonly size: string;
  private child: ChildProcess | undefined;
  private stopped = false;

  constructor(
    readonly port: number,
    opts: { host?: string; size?: string } = {},
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.size = opts.size ?? '640x360';
    this.spawn();
  }

  private spawn(): void {
    const child = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'quiet', '-re', '-f', 'lavfi', '-i', `testsrc2=size=${this.size}:rate=25`],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-f', 'mpegts'],
        `srt://${this.host}:${this.port}?mode=listener`,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    if (child.pid !== undefined) this.pids.add(child.pid);
    child.once('exit', () => {
      if (!this.stopped) setTimeout(() => !this.stopped && this.spawn(), 50);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }
}

/** A TCP server that accepts connections and never says a word (a hung RTSP server). */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

export interface ChildInfo {
  pid: number;
  comm: string;
  state: string;
}

/** The direct children of this process, from /proc (zombies included, state "Z"). */
export function children(): ChildInfo[] {
  const out: ChildInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) === process.pid) out.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), state });
  }
  return out;
}

/** Running or zombie ffmpeg children, other than the given (publisher) pids. */
export function ffmpegChildren(except: Iterable<number> = []): ChildInfo[] {
  const skip = new Set(except);
  return children().filter((c) => c.comm === 'ffmpeg' && !skip.has(c.pid));
}

/** Width and height of a JPEG after decoding it fully with ffprobe. */
export function probeJpeg(image: Buffer): { width: number; height: number; frames: number } {
  const res = spawnSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'json', '-i', 'pipe:0'],
    { input: image },
  );
  if (res.status !== 0) throw new Error(`ffprobe failed: ${res.stderr.toString()}`);
  const stream = (JSON.parse(res.stdout.toString()) as { streams: { width: number; height: number; nb_read_frames: string }[] }).streams[0];
  return { width: stream.width, height: stream.height, frames: Number(stream.nb_read_frames) };
}

/** A logger whose JSON lines are kept in `lines` instead of going to the console. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger('snapshotter-test', 'debug');
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    }),
  );
  return { logger, lines };
}
