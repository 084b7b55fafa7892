import { parseClientMessage } from '../src/clientMessage';

describe('parseClientMessage', () => {
  test('reads resync and detail subscriptions, merging duplicates', () => {
    expect(parseClientMessage('{"type":"resync"}')).toEqual({ type: 'resync' });
    expect(parseClientMessage('{"type":"detail","streams":[]}')).toEqual({ type: 'detail', streams: [] });
    const streams = [
      { node: 'eu-1', name: 'live/a b' },
      { node: 'eu-1', name: 'live/a b' },
      { node: 'us', name: 'live/a b' },
    ];
    expect(parseClientMessage(JSON.stringify({ type: 'detail', streams }))).toEqual({ type: 'detail', streams: [streams[0], streams[2]] });
  });

  test.each([
    ['', 'empty'],
    ['null', 'null'],
    ['[1]', 'an array'],
    ['{"type":"detail"}', 'no streams'],
    ['{"type":"detail","streams":[null]}', 'a null stream'],
    ['{"type":"detail","streams":[{"node":"a"}]}', 'no name'],
    ['{"type":"detail","streams":[{"node":"a","name":""}]}', 'an empty name'],
    ['{"type":"detail","streams":[{"node":"a","name":"x\\u0000"}]}', 'a NUL in the name'],
    ['{"type":"detail","streams":[{"node":"a:b","name":"x"}]}', 'a colon in the node'],
    ['{"type":"detail","streams":[{"node":"a","name":1}]}', 'a number as name'],
    [JSON.stringify({ type: 'detail', streams: Array.from({ length: 21 }, (_, i) => ({ node: 'a', name: String(i) })) }), '21 streams'],
    ['{"type":"__proto__"}', 'an unknown type'],
  ])('%s (%s) is not a message', (text) => {
    expect(parseClientMessage(text)).toBeNull();
  });
});
