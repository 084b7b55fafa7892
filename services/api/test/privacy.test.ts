import Redis from 'ioredis';
import { StreamStore, type Connection, type StreamDetailPart } from '@mmon/shared';
import { RedisServer, eventually } from '@mmon/test-support';
import { maskAddresses } from '../src/privacy';
import type { RunningApi } from '../src/server';
import { call, login, openWs, startAuthApi, writeUsersFile } from './authSupport';
import { detailPart, publish, summary } from './fixtures';

/** A stream's detail with a publisher on IPv4, a reader on IPv6 and a WebRTC reader with candidates. */
function partWithAddresses(): StreamDetailPart {
  const base = detailPart('r-v6').readerList[0];
  const source: Connection = { ...base, id: 'src', type: 'srtConn', protocol: 'srt', direction: 'publish', remoteAddr: '203.0.113.7:40123' };
  const v6: Connection = { ...base, remoteAddr: '[2001:db8:aa:bb:cc:dd:ee:ff]:5000' };
  const webrtc: Connection = {
    ...base,
    id: 'r-webrtc',
    type: 'webRTCSession',
    protocol: 'webrtc',
    remoteAddr: '198.51.100.23:61000',
    webrtc: {
      peerConnectionEstablished: true,
      localCandidate: '192.0.2.1:8189/udp/host',
      remoteCandidate: 'host/udp/198.51.100.23/61000',
      jitter: null,
      rtpPacketsLost: 0,
      framesDiscarded: 0,
      window10s: null,
    },
  };
  return { inboundFramesInError: 0, inboundFramesInError10s: 0, source, readerList: [v6, webrtc] };
}

const WHOLE = ['203.0.113.7:40123', '[2001:db8:aa:bb:cc:dd:ee:ff]:5000', '198.51.100.23:61000', '192.0.2.1:8189/udp/host', 'host/udp/198.51.100.23/61000'];
const MASKED = ['203.0.113.0:40123', '[2001:db8:aa:bb::]:5000', '198.51.100.0:61000', '192.0.2.0:8189/udp/host', 'host/udp/198.51.100.0/61000'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function addresses(detail: any): string[] {
  const [v6, webrtc] = detail.readerList;
  return [detail.source.remoteAddr, v6.remoteAddr, webrtc.remoteAddr, webrtc.webrtc.localCandidate, webrtc.webrtc.remoteCandidate];
}

describe('maskAddresses', () => {
  test('IPv4 loses its last octet, IPv6 keeps its /64, ports and other text stay', () => {
    expect(maskAddresses('203.0.113.7:5000')).toBe('203.0.113.0:5000');
    expect(maskAddresses('203.0.113.7')).toBe('203.0.113.0');
    expect(maskAddresses('[2001:db8:1:2:3:4:5:6]:5000')).toBe('[2001:db8:1:2::]:5000');
    expect(maskAddresses('2001:db8::1')).toBe('2001:db8::');
    expect(maskAddresses('::ffff:10.1.2.3')).toBe('::ffff:10.1.2.0');
    expect(maskAddresses('fe80::1%eth0')).toBe('fe80::%eth0');
    expect(maskAddresses('candidate 1 udp 2130706431 192.0.2.33 54400 typ host')).toBe('candidate 1 udp 2130706431 192.0.2.0 54400 typ host');
    for (const untouched of ['12:34:56', '8189', 'abc', 'deadbeef', 'v1.2.3', '']) expect(maskAddresses(untouched)).toBe(untouched);
  });
});

describe('addresses in API output per role and PRIVACY_MASK_ADDRESSES', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let usersFile: string;
  const apis: RunningApi[] = [];

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url);
    usersFile = await writeUsersFile();
    await publish(new StreamStore(redis, 60), 'n', [summary('n', 'cam')], undefined, { cam: partWithAddresses() });
  });
  afterAll(async () => {
    for (const api of apis) await api.close();
    redis.disconnect();
    await redisServer.stop();
  });

  /** The addresses one principal sees in /api/streams/detail, ?detail=1 and the WebSocket's detail message. */
  async function seen(api: RunningApi, cookie?: string): Promise<string[][]> {
    const headers: Record<string, string> = cookie ? { cookie } : {};
    const one = await call(api.port, 'GET', '/api/streams/detail?node=n&name=cam', { headers });
    expect(one.status).toBe(200);
    const all = await call(api.port, 'GET', '/api/streams/latest?detail=1', { headers });
    const open = await openWs(api.port, { headers });
    if (!('ws' in open)) throw new Error(`WebSocket refused: ${open.status}`);
    open.ws.send(JSON.stringify({ type: 'detail', streams: [{ node: 'n', name: 'cam' }] }));
    const msg = await eventually(() => {
      const m = open.messages.find((x) => x.type === 'detail');
      if (!m) throw new Error('no detail message');
      return m as { data: unknown[] };
    });
    open.ws.close();
    // summaries carry no address at all
    expect(JSON.stringify(open.messages.find((x) => x.type === 'streams'))).not.toMatch(/203\.0\.113|2001:db8|198\.51\.100/);
    return [addresses(one.body), addresses(all.body[0]), addresses(msg.data[0])];
  }

  async function start(env: Record<string, string>): Promise<RunningApi> {
    const api = await startAuthApi(redisServer.url, env);
    apis.push(api);
    return api;
  }

  test('with it off, a viewer sees masked addresses and an admin whole ones; without users everything is whole', async () => {
    const api = await start({ MONITOR_USERS_FILE: usersFile });
    expect(await seen(api, (await login(api.port, 'bob')).cookie)).toEqual([MASKED, MASKED, MASKED]);
    expect(await seen(api, (await login(api.port, 'alice')).cookie)).toEqual([WHOLE, WHOLE, WHOLE]);
    expect((await call(api.port, 'GET', '/api/me', { headers: { cookie: (await login(api.port, 'bob')).cookie } })).body.maskedAddresses).toBe(true);

    const open = await start({});
    expect(await seen(open)).toEqual([WHOLE, WHOLE, WHOLE]);
  });

  test('with PRIVACY_MASK_ADDRESSES=true every role sees them masked, and so does everyone without users', async () => {
    const api = await start({ MONITOR_USERS_FILE: usersFile, PRIVACY_MASK_ADDRESSES: 'true' });
    expect(await seen(api, (await login(api.port, 'alice')).cookie)).toEqual([MASKED, MASKED, MASKED]);
    expect(await seen(api, (await login(api.port, 'bob')).cookie)).toEqual([MASKED, MASKED, MASKED]);

    const open = await start({ PRIVACY_MASK_ADDRESSES: 'true' });
    expect(await seen(open)).toEqual([MASKED, MASKED, MASKED]);
    expect((await call(open.port, 'GET', '/api/me')).body).toEqual({ user: null, role: 'admin', mode: 'none', maskedAddresses: true });
  });
});
