/**
 * Every kind of response the emulator gives must be valid against the official MediaMTX OpenAPI
 * definition, with invented fields rejected, in both list layouts and both field modes.
 */
import { LIST_ENDPOINTS, PATHS_LIST, type ApiLayout, type ConnType } from '@mmon/shared';
import { benchScenario, connId, demoScenario, Emulator, h264, trafficCounters, type Scenario, type ScenarioConn, type StaticSource } from '../src';
import { loadSpec } from './spec';

const spec = loadSpec();
const NOW = Date.parse('2026-05-01T12:00:00Z');

const COMPONENT: Record<ConnType | 'hlsMuxer', string> = {
  srtConn: 'SRTConn',
  rtmpConn: 'RTMPConn',
  rtmpsConn: 'RTMPConn',
  rtspSession: 'RTSPSession',
  rtspsSession: 'RTSPSession',
  webRTCSession: 'WebRTCSession',
  hlsSession: 'HLSSession',
  moqSession: 'MoQSession',
  hlsMuxer: 'HLSMuxer',
};

const STATIC_SOURCES: StaticSource['type'][] = [
  'hlsSource',
  'redirect',
  'rpiCameraSource',
  'rtmpSource',
  'rtspSource',
  'srtSource',
  'mpegtsSource',
  'rtpSource',
  'webRTCSource',
  'moqSource',
];

let nextId = 100;
function conn(type: ConnType, role: 'publish' | 'read', extra: Partial<ScenarioConn> = {}): ScenarioConn {
  return { type, id: connId(nextId++), remoteAddr: '192.0.2.1:5000', counters: trafficCounters(type, role, 3), ...extra };
}

/** The demo plus every protocol as publisher and reader, every static source type and idle connections. */
function fullScenario(): Scenario {
  const scenario = demoScenario(NOW);
  scenario.paths.push(
    {
      name: 'extra/rtmps',
      tracks: [h264()],
      source: conn('rtmpsConn', 'publish'),
      readers: [conn('rtspsSession', 'read', { transport: 'TCP', profile: 'SAVP' }), conn('rtmpsConn', 'read'), conn('rtmpConn', 'read'), conn('hlsSession', 'read', { isCDN: true })],
    },
    { name: 'extra/rtsps', tracks: [h264()], source: conn('rtspsSession', 'publish', { transport: null, profile: null }), readers: [conn('srtConn', 'read')] },
    { name: 'extra/moq', tracks: [h264()], source: conn('moqSession', 'publish', { version: 'moqt-18', transport: 'quic' }), readers: [conn('rtspSession', 'read')] },
    { name: 'extra/rtsp', tracks: [h264()], source: conn('rtspSession', 'publish', { transport: 'TCP' }), readers: [conn('moqSession', 'read')] },
    { name: 'extra/offline-with-reader', readers: [conn('rtspSession', 'read')] },
    ...STATIC_SOURCES.map((type) => ({ name: `static/${type}`, tracks: [h264()], source: { type }, counters: { inboundBytes: { rate: 1000 } } })),
  );
  scenario.idleConns = [conn('rtspSession', 'read'), conn('rtmpConn', 'read'), conn('srtConn', 'read'), conn('moqSession', 'read')];
  return scenario;
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

function expectValid(component: string, value: unknown): void {
  expect({ component, errors: spec.validate(component, value) }).toEqual({ component, errors: [] });
}

/** In current mode MediaMTX sends every field the spec defines. */
function expectComplete(component: string, item: Record<string, unknown>): void {
  const missing = spec.properties(component).filter((p) => !(p in item));
  expect({ component, missing }).toEqual({ component, missing: [] });
}

describe.each([
  ['v1.20', 'current'],
  ['v1.21', 'current'],
  ['v1.20', 'legacy'],
  ['v1.21', 'legacy'],
] as const)('layout %s, %s fields', (layout: ApiLayout, fields) => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await Emulator.start({ scenario: fullScenario(), layout, fields, clock: () => NOW + 30_000 });
  });
  afterAll(() => emulator.close());

  it('serves /v3/info', async () => {
    const { status, body } = await getJson(`${emulator.url}/v3/info`);
    expect(status).toBe(200);
    expectValid('Info', body);
    expect(body.version).toBe('v1.20.1');
  });

  it('serves paths online, offline and from every kind of source, valid against the spec', async () => {
    const { status, body } = await getJson(`${emulator.url}${PATHS_LIST}?itemsPerPage=1000`);
    expect(status).toBe(200);
    expectValid('PathList', body);
    const byName = new Map<string, any>(body.items.map((p: any) => [p.name, p]));
    const sourceTypes = new Set(body.items.map((p: any) => p.source?.type ?? null));
    for (const type of [...STATIC_SOURCES, 'srtConn', 'rtmpConn', 'rtmpsConn', 'rtspSession', 'rtspsSession', 'webRTCSession', 'moqSession', null]) {
      expect(sourceTypes).toContain(type);
    }
    const offline = byName.get('live/backup');
    const online = byName.get('live/contribution');
    if (fields === 'current') {
      for (const item of body.items) expectComplete('Path', item);
      expect(offline).toMatchObject({ online: false, onlineTime: null, ready: false, source: null, tracks: [], tracks2: [] });
      expect(online).toMatchObject({ online: true, ready: true, tracks: ['H264', 'MPEG-4 Audio'] });
      expect(online.tracks2[0]).toEqual({ codec: 'H264', codecProps: { width: 1920, height: 1080, profile: 'High', level: '4.1' } });
      expect(online.inboundBytes).toBe(online.bytesReceived);
    } else {
      for (const item of body.items) {
        for (const absent of ['online', 'onlineTime', 'available', 'availableTime', 'inboundBytes', 'outboundBytes', 'tracks2']) {
          expect(item).not.toHaveProperty(absent);
        }
        for (const present of ['ready', 'readyTime', 'bytesReceived', 'bytesSent', 'tracks']) expect(item).toHaveProperty(present);
      }
      expect(offline).toMatchObject({ ready: false, readyTime: null, source: null, tracks: [] });
      expect(online).toMatchObject({ ready: true, tracks: ['H264', 'MPEG-4 Audio'] });
    }
    expect(online.source).toEqual({ type: 'srtConn', id: connId(1) });
    expect(online.readers).toEqual([
      { type: 'srtConn', id: connId(2) },
      { type: 'webRTCSession', id: connId(3) },
    ]);
    expect(byName.get('static/rtspSource').source).toEqual({ type: 'rtspSource', id: '' });
  });

  it.each(Object.keys(COMPONENT) as (ConnType | 'hlsMuxer')[])('serves the %s list, valid against the spec', async (kind) => {
    const { status, body } = await getJson(`${emulator.url}${LIST_ENDPOINTS[kind][layout]}`);
    expect(status).toBe(200);
    expectValid(`${COMPONENT[kind]}List`, body);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.itemCount).toBe(body.items.length);
    if (fields === 'current') for (const item of body.items) expectComplete(COMPONENT[kind], item);
    if (fields === 'legacy' && kind === 'rtmpConn') {
      expect(body.items[0]).toHaveProperty('bytesReceived');
      expect(body.items[0]).not.toHaveProperty('inboundBytes');
    }
  });

  it('answers 404 JSON for the list endpoints of the other layout', async () => {
    const other: ApiLayout = layout === 'v1.20' ? 'v1.21' : 'v1.20';
    for (const byLayout of Object.values(LIST_ENDPOINTS)) {
      const { status, body } = await getJson(`${emulator.url}${byLayout[other]}`);
      expect(status).toBe(404);
      expectValid('Error', body);
    }
  });

  it('keeps paths and connection lists consistent', async () => {
    const paths = (await getJson(`${emulator.url}${PATHS_LIST}?itemsPerPage=1000`)).body.items;
    const conns = new Map<string, any>();
    for (const kind of Object.keys(COMPONENT) as (ConnType | 'hlsMuxer')[]) {
      if (kind === 'hlsMuxer') continue;
      for (const item of (await getJson(`${emulator.url}${LIST_ENDPOINTS[kind][layout]}`)).body.items) conns.set(`${kind}/${item.id}`, item);
    }
    for (const path of paths) {
      if (path.source && !path.source.type.endsWith('Source') && path.source.type !== 'redirect') {
        expect(conns.get(`${path.source.type}/${path.source.id}`)).toMatchObject({ path: path.name, state: 'publish' });
      }
      for (const reader of path.readers) {
        const item = conns.get(`${reader.type}/${reader.id}`);
        expect(item).toMatchObject({ path: path.name });
        if (reader.type !== 'hlsSession') expect(item.state).toBe('read');
      }
    }
    expect([...conns.values()].filter((c) => c.state === 'idle')).toHaveLength(4);
  });

  it('gets single paths (names with slashes) and connections by id, valid against the spec', async () => {
    const path = await getJson(`${emulator.url}/v3/paths/get/live/contribution`);
    expect(path.status).toBe(200);
    expectValid('Path', path.body);
    expect(path.body.name).toBe('live/contribution');
    const encoded = await getJson(`${emulator.url}/v3/paths/get/${encodeURIComponent('cam/entrance')}`);
    expect(encoded.body.name).toBe('cam/entrance');
    const srt = await getJson(`${emulator.url}${LIST_ENDPOINTS.srtConn[layout].replace('/list', '/get/')}${connId(1)}`);
    expect(srt.status).toBe(200);
    expectValid('SRTConn', srt.body);
    expect(srt.body.id).toBe(connId(1));
    const muxer = await getJson(`${emulator.url}${LIST_ENDPOINTS.hlsMuxer[layout].replace('/list', '/get/')}live/studio`);
    expect(muxer.status).toBe(200);
    expectValid('HLSMuxer', muxer.body);
  });

  it('answers errors like MediaMTX, valid against the spec', async () => {
    const cases: [string, number, string][] = [
      [`${PATHS_LIST}?itemsPerPage=0`, 400, 'invalid items per page'],
      [`${PATHS_LIST}?itemsPerPage=abc`, 400, 'strconv.ParseUint: parsing "abc": invalid syntax'],
      [`${PATHS_LIST}?page=-1`, 400, 'strconv.ParseUint: parsing "-1": invalid syntax'],
      ['/v3/paths/get/no/such/path', 404, 'path not found'],
      ['/v3/paths/get/', 400, 'invalid name'],
      [`${LIST_ENDPOINTS.srtConn[layout].replace('/list', '/get/')}${connId(99999)}`, 404, 'connection not found'],
      [`${LIST_ENDPOINTS.webRTCSession[layout].replace('/list', '/get/')}${connId(99999)}`, 404, 'session not found'],
      [`${LIST_ENDPOINTS.srtConn[layout].replace('/list', '/get/')}not-a-uuid`, 400, 'invalid UUID length: 10'],
      [`${LIST_ENDPOINTS.hlsMuxer[layout].replace('/list', '/get/')}live/backup`, 404, 'muxer not found'],
      ['/v3/no/such/endpoint', 404, 'not found'],
    ];
    for (const [url, status, error] of cases) {
      const res = await getJson(`${emulator.url}${url}`);
      expect({ url, status: res.status, body: res.body }).toEqual({ url, status, body: { status: 'error', error } });
      expectValid('Error', res.body);
    }
  });
});

describe('auth errors', () => {
  it('are MediaMTX error JSON, valid against the spec', async () => {
    const emulator = await Emulator.start({ scenario: { paths: [] }, auth: { user: 'u', pass: 'p' } });
    try {
      const res = await getJson(`${emulator.url}/v3/info`);
      expect(res.status).toBe(401);
      expectValid('Error', res.body);
    } finally {
      await emulator.close();
    }
  });
});

describe('bench scenario', () => {
  it('is valid against the spec and complete, for paths and every list', async () => {
    const emulator = await Emulator.start({ scenario: benchScenario(40, 2, NOW), clock: () => NOW });
    try {
      const paths = await getJson(`${emulator.url}${PATHS_LIST}`);
      expectValid('PathList', paths.body);
      for (const item of paths.body.items) expectComplete('Path', item);
      for (const kind of Object.keys(COMPONENT) as (ConnType | 'hlsMuxer')[]) {
        const { body } = await getJson(`${emulator.url}${LIST_ENDPOINTS[kind]['v1.21']}`);
        expectValid(`${COMPONENT[kind]}List`, body);
        expect(body.itemCount).toBeGreaterThan(0);
        for (const item of body.items) expectComplete(COMPONENT[kind], item);
      }
    } finally {
      await emulator.close();
    }
  });
});
