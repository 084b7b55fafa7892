import zlib from 'node:zlib';
import { Outgoing, deflateMessage, frameHeader, negotiatedWindow } from '../src/outgoing';

const inflate = (payload: Buffer) =>
  zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });

describe('outgoing frames', () => {
  test('frame headers: final text frame, RSV1 when compressed, 7-, 16- and 64-bit lengths', () => {
    expect([...frameHeader(0, false)]).toEqual([0x81, 0]);
    expect([...frameHeader(125, true)]).toEqual([0xc1, 125]);
    expect([...frameHeader(126, false)]).toEqual([0x81, 126, 0, 126]);
    expect([...frameHeader(65535, false)]).toEqual([0x81, 126, 0xff, 0xff]);
    expect([...frameHeader(65536, true)]).toEqual([0xc1, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  test('a message is deflated without the sync tail, once per window, and small ones go uncompressed', () => {
    const text = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ name: `live/cam-${i}`, bytes: i * 1000 })));
    const message = Outgoing.of(text);
    const [header, payload] = message.frame(15);
    expect(header[0]).toBe(0xc1);
    expect(payload.length).toBeLessThan(text.length / 3);
    expect(inflate(payload).toString()).toBe(text);
    expect(message.frame(15)[1]).toBe(payload); // the same bytes for every client
    expect(inflate(message.frame(10)[1]).toString()).toBe(text);
    expect(inflate(deflateMessage(Buffer.from(''), 15)).toString()).toBe('');
    expect(message.frame(null)).toEqual([frameHeader(text.length, false), Buffer.from(text)]);
    const small = Outgoing.of('{"type":"resync"}');
    expect(small.frame(15)[0][0]).toBe(0x81);
  });

  test.each([
    [['HTTP/1.1 101 Switching Protocols', 'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover'], 15],
    [['Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=15'], 10],
    [['Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_max_window_bits=8'], null],
    [['Sec-WebSocket-Extensions: permessage-deflate'], null],
    [['Upgrade: websocket'], null],
  ])('the negotiated window of %j is %s', (headers, bits) => {
    expect(negotiatedWindow(headers)).toBe(bits);
  });
});
