import { ConfigError } from '@mmon/shared';
import { backoffMs } from '../src/backoff';
import { readConfig } from '../src/config';
import { ffmpegArgs } from '../src/frameGrabber';
import { ffmpegErrorLine } from '../src/ffmpegError';
import { runBounded } from '../src/pool';
import { apiHost, checkTemplate, encodeName, sourceUrl } from '../src/sourceUrl';
import { onlineStreams } from '../src/streams';

describe('source addresses', () => {
  const at = (name: string) => ({ host: 'h', node: 'n1', name });

  it('encodes each segment of a name and keeps its slashes, for RTSP paths and SRT streamids', () => {
    expect(encodeName('cams/front door/ä?#')).toBe('cams/front%20door/%C3%A4%3F%23');
    expect(sourceUrl('rtsp://h:8554/{name}', at('live/cam 1'))).toBe('rtsp://h:8554/live/cam%201');
    expect(sourceUrl('srt://h:8890?streamid=read:{name}', at('live/a&b'))).toBe('srt://h:8890?streamid=read:live/a%26b');
    expect(sourceUrl('rtsp://h/{name}?x={name}', at('a'))).toBe('rtsp://h/a?x=a');
  });

  it('fills in {host}, {node} and {name} of each stream, once (a name holding a placeholder stays text)', () => {
    const template = 'srt://{host}:8890?streamid=read:{node}/{name}';
    expect(sourceUrl(template, { host: '10.0.0.7', node: 'eu-1', name: 'cam' })).toBe('srt://10.0.0.7:8890?streamid=read:eu-1/cam');
    expect(sourceUrl(template, { host: '[::1]', node: 'us', name: 'cam' })).toBe('srt://[::1]:8890?streamid=read:us/cam');
    expect(sourceUrl('rtsp://{host}:8554/{name}', { host: 'h', node: 'n', name: '{host}' })).toBe('rtsp://h:8554/%7Bhost%7D');
  });

  it("defaults to MediaMTX's RTSP port on each node's API host, without the API's credentials", () => {
    expect(readConfig({}).sourceTemplate).toBe('rtsp://{host}:8554/{name}');
    expect(readConfig({}).nodes).toEqual([{ id: 'local', host: '127.0.0.1' }]);
    expect(readConfig({ MEDIAMTX_API_URL: 'https://u:secret@10.1.2.3:9997/' }).nodes).toEqual([{ id: 'local', host: '10.1.2.3' }]);
    const config = readConfig({ MEDIAMTX_NODES: 'eu=http://admin:pw@mtx-eu.example:9997,us=http://[::1]:9997', MEDIAMTX_API_URL: 'http://ignored:9997' });
    expect(config.nodes).toEqual([
      { id: 'eu', host: 'mtx-eu.example' },
      { id: 'us', host: '[::1]' },
    ]);
    expect(JSON.stringify(config)).not.toContain('pw');
    expect(config.nodes.map((n) => sourceUrl(config.sourceTemplate, { host: n.host, node: n.id, name: 'cam' }))).toEqual([
      'rtsp://mtx-eu.example:8554/cam',
      'rtsp://[::1]:8554/cam',
    ]);
    expect(apiHost('http://[fe80::1]:9997')).toBe('[fe80::1]');
  });

  it('takes a bad MEDIAMTX_NODES as the collector does, naming the variable', () => {
    expect(() => readConfig({ MEDIAMTX_NODES: 'a b=http://x' })).toThrow(/^MEDIAMTX_NODES: /);
    expect(() => readConfig({ MEDIAMTX_NODES: 'a=http://x,a=http://y' })).toThrow(/^MEDIAMTX_NODES: /);
  });

  it('rejects templates without {name}, with an unknown placeholder, unparsable ones and foreign protocols, naming the variable', () => {
    expect(checkTemplate('V', 'srt://h:8890?streamid=read:{name}')).toBe('srt://h:8890?streamid=read:{name}');
    expect(checkTemplate('V', 'rtsp://{host}:8554/{node}/{name}')).toBe('rtsp://{host}:8554/{node}/{name}');
    expect(() => readConfig({ SNAPSHOT_SOURCE_URL: 'rtsp://{hots}:8554/{name}' })).toThrow(/^SNAPSHOT_SOURCE_URL: knows only .*got \{hots\}/);
    for (const bad of ['rtsp://h:8554/cam', 'not a url {name}', 'file:///etc/{name}']) {
      expect(() => readConfig({ SNAPSHOT_SOURCE_URL: bad })).toThrow(ConfigError);
      expect(() => readConfig({ SNAPSHOT_SOURCE_URL: bad })).toThrow(/^SNAPSHOT_SOURCE_URL: /);
    }
  });

  it('asks ffmpeg for one scaled JPEG frame, over TCP for RTSP', () => {
    expect(ffmpegArgs('rtsp://h/a', 320)).toEqual(expect.arrayContaining(['-rtsp_transport', 'tcp', '-frames:v', '1', 'scale=320:-2', 'mjpeg']));
    expect(ffmpegArgs('srt://h:1?streamid=read:a', 160)).not.toContain('-rtsp_transport');
  });
});

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(readConfig({})).toMatchObject({
      intervalMs: 10000,
      width: 320,
      concurrency: 2,
      timeoutMs: 8000,
      maxBackoffMs: 300000,
      ffmpegPath: 'ffmpeg',
    });
  });

  it('names the variable of a bad value', () => {
    expect(() => readConfig({ SNAPSHOT_INTERVAL_MS: 'often' })).toThrow(/^SNAPSHOT_INTERVAL_MS: /);
    expect(() => readConfig({ SNAPSHOT_CONCURRENCY: '0' })).toThrow(/^SNAPSHOT_CONCURRENCY: /);
    expect(() => readConfig({ SNAPSHOT_WIDTH: '-1' })).toThrow(/^SNAPSHOT_WIDTH: /);
  });
});

describe('backoffMs', () => {
  it('waits one interval after the first failure, doubles, and stops at the cap', () => {
    expect([0, 1, 2, 3, 4].map((f) => backoffMs(f, 10_000, 300_000))).toEqual([0, 10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(6, 10_000, 300_000)).toBe(300_000);
    expect(backoffMs(1000, 10_000, 300_000)).toBe(300_000);
    expect(backoffMs(3, 10_000, 0)).toBe(10_000);
  });
});

describe('onlineStreams', () => {
  it('takes the online streams as node and name, a name on two nodes twice, sorted by node and name', () => {
    const streams = [
      { node: 'b', name: 'z/cam', online: true },
      { node: 'a', name: 'a', online: false },
      { node: 'a', name: 'z/cam', online: true },
      { node: 'a', name: 'm', online: true },
      { node: 'a', name: 'm', online: true },
      { name: 'no-node', online: true },
    ];
    expect(onlineStreams(Buffer.from(JSON.stringify(streams)))).toEqual([
      { node: 'a', name: 'm' },
      { node: 'a', name: 'z/cam' },
      { node: 'b', name: 'z/cam' },
    ]);
    expect(onlineStreams(null)).toEqual([]);
    expect(() => onlineStreams('{}')).toThrow(/not a JSON array/);
  });
});

describe('ffmpegErrorLine', () => {
  it("takes ffmpeg's last line, shortened, with the source's credentials hidden", () => {
    const url = 'srt://127.0.0.1:1?streamid=read:a/b&passphrase=supersecret123';
    const stderr = [
      `[srt @ 0x55dd53530100] Connection to ${url} failed: Input/output error`,
      `${url}: Input/output error`,
      '',
    ].join('\n');
    const line = ffmpegErrorLine(stderr, url)!;
    expect(line).toContain('Input/output error');
    expect(line).toContain('passphrase=***');
    expect(line).not.toContain('supersecret');
    expect(ffmpegErrorLine('[tcp @ 0x5605770a8600] Connection to tcp://h:1 failed: Connection refused\n', 'rtsp://h:1/x')).toBe(
      'tcp: Connection to tcp://h:1 failed: Connection refused',
    );
    expect(ffmpegErrorLine(`rtsp://admin:pw@h:1/${'x'.repeat(500)}: Connection refused`, 'rtsp://admin:pw@h:1/x')!.length).toBeLessThanOrEqual(200);
    expect(ffmpegErrorLine('\n  \n', 'x')).toBeNull();
  });
});

describe('runBounded', () => {
  it('never runs more than the limit at once and runs every item', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      done.push(n);
    });
    expect(most).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
