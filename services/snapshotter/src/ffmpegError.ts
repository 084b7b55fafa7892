import { redactUrl } from '@mmon/shared';

const MAX_LENGTH = 200;

/**
 * The short reason of a failed capture from ffmpeg's stderr: its last non-empty line, without the
 * "[component @ 0x…]" prefix, with the source address and any other credentials hidden.
 */
export function ffmpegErrorLine(stderr: string, url: string): string | null {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) return null;
  const line = redactUrl(last.split(url).join(redactUrl(url))).replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\]\s*/i, '$1: ');
  return line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH - 1)}…` : line;
}
