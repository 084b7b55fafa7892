import zlib from 'node:zlib';

/**
 * WebSocket text messages compressed once for every client.
 *
 * ws compresses per client (each connection has its own deflate context), which at 500 clients
 * costs the api most of a core for the same bytes 500 times (scripts/bench/fanout.js). The server
 * negotiates permessage-deflate with server_no_context_takeover instead, so every message is
 * compressed on its own and its compressed bytes are the same for every client that negotiated the
 * same window: they are made once and written to each client's socket as a frame. (ws still reads
 * what clients send, and writes its control frames; it never compresses.)
 */

/** Messages shorter than this go uncompressed: deflate would save less than it costs. */
const THRESHOLD = 1024;
/** Compression happens once per message whatever the number of clients, so zlib's default level is affordable. */
const LEVEL = 6;
const SYNC_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** A message to send to one or many clients, compressed lazily once per window size. */
export class Outgoing {
  private readonly compressed = new Map<number, Buffer>();

  constructor(readonly data: Buffer) {}

  static of(text: string): Outgoing {
    return new Outgoing(Buffer.from(text));
  }

  /** The frame (header and payload) for a client whose permessage-deflate window is `windowBits` (null: none). */
  frame(windowBits: number | null): [Buffer, Buffer] {
    if (windowBits === null || this.data.length < THRESHOLD) return [frameHeader(this.data.length, false), this.data];
    let payload = this.compressed.get(windowBits);
    if (!payload) {
      payload = deflateMessage(this.data, windowBits);
      this.compressed.set(windowBits, payload);
    }
    return [frameHeader(payload.length, true), payload];
  }
}

/**
 * A message's permessage-deflate payload (RFC 7692 7.2.1): raw deflate ending in a sync flush,
 * whose final 00 00 ff ff is left out.
 */
export function deflateMessage(data: Buffer, windowBits: number): Buffer {
  // zlib's raw deflate does not take a window of 8 (256 bytes); 9 is what zlib itself would use
  // and a client asking for 8 could not read it, so such a client gets nothing compressed.
  const out = zlib.deflateRawSync(data, { level: LEVEL, windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(out.length - 4).equals(SYNC_TAIL) ? out.subarray(0, out.length - 4) : out;
}

/** The header of an unmasked, final text frame (server to client); RSV1 marks a compressed message. */
export function frameHeader(length: number, compressed: boolean): Buffer {
  const first = 0x80 | (compressed ? 0x40 : 0) | 0x01;
  if (length < 126) return Buffer.from([first, length]);
  if (length < 0x10000) return Buffer.from([first, 126, length >> 8, length & 0xff]);
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/**
 * The server's permessage-deflate window from the handshake answer's headers, when the extension
 * was negotiated with server_no_context_takeover (the only way a shared payload is valid); else
 * null: the client gets its messages uncompressed.
 */
export function negotiatedWindow(headers: readonly string[]): number | null {
  const line = headers.find((h) => /^sec-websocket-extensions:/i.test(h));
  if (!line) return null;
  const params = line.slice(line.indexOf(':') + 1).split(';').map((p) => p.trim());
  if (params[0] !== 'permessage-deflate' || !params.includes('server_no_context_takeover')) return null;
  const bits = params.find((p) => p.startsWith('server_max_window_bits='));
  const windowBits = bits ? Number(bits.slice(bits.indexOf('=') + 1)) : 15;
  return Number.isInteger(windowBits) && windowBits >= 9 && windowBits <= 15 ? windowBits : null;
}
