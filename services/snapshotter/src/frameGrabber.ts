import { spawn, type ChildProcess } from 'node:child_process';
import { redactUrl } from '@mmon/shared';
import { ffmpegErrorLine } from './ffmpegError';

export interface GrabberOptions {
  ffmpegPath: string;
  /** Width of the thumbnail in px; the height keeps the aspect (rounded to even). */
  width: number;
  /** A capture still running after this is stopped (SIGTERM, then SIGKILL after killGraceMs). */
  timeoutMs: number;
  killGraceMs: number;
}

/** A failed capture; the message is short and safe to show (credentials hidden). */
export class CaptureError extends Error {
  override name = 'CaptureError';
}

const STDERR_KEEP = 4096;
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

/** ffmpeg's arguments for one scaled JPEG frame of `url` on stdout. */
export function ffmpegArgs(url: string, width: number): string[] {
  const input = /^rtsps?:/i.test(url) ? ['-rtsp_transport', 'tcp'] : [];
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...input,
    // Probe one second of the stream, not ffmpeg's default five: all a single frame needs.
    ...['-analyzeduration', '1000000', '-i', url],
    ...['-an', '-sn', '-dn', '-frames:v', '1'],
    ...['-vf', `scale=${width}:-2`],
    ...['-c:v', 'mjpeg', '-q:v', '4', '-f', 'image2pipe', 'pipe:1'],
  ];
}

/**
 * Takes single frames with ffmpeg. Every child is tracked until it has exited (Node reaps it),
 * so `running` counts real processes and stop() leaves none behind.
 */
export class FrameGrabber {
  private readonly children = new Set<ChildProcess>();
  private readonly exited = new Set<Promise<void>>();
  private readonly terminating = new WeakSet<ChildProcess>();

  constructor(private readonly opts: GrabberOptions) {}

  get running(): number {
    return this.children.size;
  }

  /** One JPEG frame of the source; rejects with a CaptureError. */
  capture(url: string): Promise<Buffer> {
    const { ffmpegPath, width, timeoutMs } = this.opts;
    return new Promise<Buffer>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(ffmpegPath, ffmpegArgs(url, width), { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch {
        return reject(new CaptureError('ffmpeg could not start: invalid argument'));
      }
      this.children.add(child);
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let failure: string | null = null;
      const stopWith = (reason: string) => {
        failure ??= reason;
        this.terminate(child);
      };
      const timer = setTimeout(() => stopWith(`timed out after ${timeoutMs} ms`), timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_IMAGE_BYTES) return stopWith(`image larger than ${MAX_IMAGE_BYTES} bytes`);
        chunks.push(chunk);
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        failure ??=
          err.code === 'ENOENT'
            ? `ffmpeg not found at "${redactUrl(ffmpegPath)}" (set FFMPEG_PATH)`
            : `ffmpeg could not start: ${err.code ?? err.message}`;
      });
      const exited = new Promise<void>((done) =>
        child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
          clearTimeout(timer);
          this.children.delete(child);
          this.exited.delete(exited);
          done();
          const image = Buffer.concat(chunks);
          if (failure === null && code === 0 && isJpeg(image)) return resolve(image);
          const reason =
            failure ??
            ffmpegErrorLine(stderr, url) ??
            (code === 0 ? 'ffmpeg produced no image' : `ffmpeg exited with ${signal ?? `code ${code}`}`);
          reject(new CaptureError(reason));
        }),
      );
      this.exited.add(exited);
    });
  }

  /** Stops every running capture and waits until each process has exited. */
  async stop(): Promise<void> {
    for (const child of this.children) this.terminate(child);
    await Promise.all([...this.exited]);
  }

  /** SIGTERM now, SIGKILL if the process is still there after the grace time. */
  private terminate(child: ChildProcess): void {
    if (this.terminating.has(child) || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    this.terminating.add(child);
    child.kill('SIGTERM');
    const kill = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, this.opts.killGraceMs);
    child.once('close', () => clearTimeout(kill));
  }
}

function isJpeg(image: Buffer): boolean {
  return image.length > 4 && image[0] === 0xff && image[1] === 0xd8 && image[image.length - 2] === 0xff && image[image.length - 1] === 0xd9;
}
