import { ConfigError, type Connection, type SrtDetail, type SrtWindow, type Stream } from '@mmon/shared';
import { derive, initialDeriveState } from '../src/derive';
import { applyHealth, connectionHealth, DEFAULT_HEALTH_RULES, type HealthRules } from '../src/health';
import { healthRulesFromEnv } from '../src/healthConfig';
import { normalize } from '../src/normalize';
import { snapshot, srtConn, srtPath } from './fixtures';

const rules = DEFAULT_HEALTH_RULES;

function srtWindow(w: Partial<SrtWindow> = {}): SrtWindow {
  return { seconds: 10, loss: 0, retrans: 0, drop: 0, belated: 0, undecrypt: 0, rttP50Ms: null, rttP95Ms: null, ...w };
}

function srt(d: Partial<SrtDetail> = {}): SrtDetail {
  return {
    rttMs: 10,
    linkCapacityMbps: null,
    latencyMs: 120,
    mbpsReceiveRate: null,
    mbpsSendRate: null,
    packetsReceived: 0,
    packetsSent: 0,
    packetsReceivedLoss: 0,
    packetsReceivedRetrans: 0,
    packetsReceivedDrop: 0,
    packetsReceivedBelated: 0,
    packetsReceivedUndecrypt: 0,
    packetsSendLoss: 0,
    packetsRetrans: 0,
    packetsSendDrop: 0,
    window10s: srtWindow(),
    window60s: srtWindow({ seconds: 60 }),
    ...d,
  };
}

function conn(c: Partial<Connection> = {}): Connection {
  return {
    id: '0123456789abcdef',
    type: 'srtConn',
    protocol: 'srt',
    direction: 'publish',
    remoteAddr: null,
    userAgent: null,
    created: null,
    bytesIn: 0,
    bytesOut: 0,
    rateInMbps: null,
    rateOutMbps: null,
    health: { level: 'ok', reasons: [] },
    ...c,
  };
}

function stream(s: Partial<Stream> = {}): Stream {
  return {
    node: 'n1',
    name: 'cam',
    confName: null,
    online: true,
    onlineSince: null,
    offlineSince: null,
    sourceType: null,
    tracks: [],
    video: null,
    bytesReceived: 0,
    bytesSent: 0,
    readers: 0,
    rtt: null,
    recvRateMbps: null,
    sendRateMbps: null,
    srt10s: null,
    linkCapacityMbps: null,
    inboundFramesInError: 0,
    inboundFramesInError10s: 0,
    source: null,
    readerList: [],
    health: { level: 'ok', reasons: [] },
    ...s,
  };
}

describe('connection health rules', () => {
  test('healthy SRT connection: ok, no reasons', () => {
    expect(connectionHealth(conn({ srt: srt() }), rules)).toEqual({ level: 'ok', reasons: [] });
  });

  test.each([
    [{ drop: 3 }, 'crit', 'SRT drop 3 packets in 10 s'],
    [{ belated: 1 }, 'crit', 'SRT belated 1 packet in 10 s'],
    [{ undecrypt: 2 }, 'crit', 'SRT undecryptable 2 packets in 10 s'],
    [{ loss: 5 }, 'warn', 'SRT loss 5 packets in 10 s'],
    [{ retrans: 4 }, 'warn', 'SRT retransmit 4 packets in 10 s'],
  ])('SRT window %j -> %s', (w, level, reason) => {
    expect(connectionHealth(conn({ srt: srt({ window10s: srtWindow(w) }) }), rules)).toEqual({ level, reasons: [reason] });
  });

  test('only the 10 s window counts', () => {
    const c = conn({ srt: srt({ window60s: srtWindow({ seconds: 60, drop: 50, loss: 9 }) }) });
    expect(connectionHealth(c, rules).level).toBe('ok');
  });

  test('SRT latency against RTT: under 3x crit, under 4x warn, from 4x ok', () => {
    expect(connectionHealth(conn({ srt: srt({ latencyMs: 120, rttMs: 45 }) }), rules)).toEqual({
      level: 'crit',
      reasons: ['SRT latency 120 ms is under 3x RTT (45 ms)'],
    });
    expect(connectionHealth(conn({ srt: srt({ latencyMs: 160, rttMs: 45.25 }) }), rules)).toEqual({
      level: 'warn',
      reasons: ['SRT latency 160 ms is under 4x RTT (45.25 ms)'],
    });
    expect(connectionHealth(conn({ srt: srt({ latencyMs: 180, rttMs: 45 }) }), rules).level).toBe('ok');
    expect(connectionHealth(conn({ srt: srt({ latencyMs: 120, rttMs: null }) }), rules).level).toBe('ok');
    expect(connectionHealth(conn({ srt: srt({ latencyMs: null, rttMs: 400 }) }), rules).level).toBe('ok');
    expect(connectionHealth(conn({ srt: srt({ latencyMs: 0, rttMs: 0 }) }), rules).level).toBe('ok');
  });

  test('several findings: every reason, the worst level', () => {
    const h = connectionHealth(conn({ srt: srt({ latencyMs: 150, rttMs: 45, window10s: srtWindow({ loss: 2, drop: 1 }) }) }), rules);
    expect(h.level).toBe('crit');
    expect(h.reasons).toEqual(['SRT drop 1 packet in 10 s', 'SRT loss 2 packets in 10 s', 'SRT latency 150 ms is under 4x RTT (45 ms)']);
  });

  test('RTSP RTP loss and errors, WebRTC RTP loss -> warn', () => {
    const rtsp = conn({
      type: 'rtspSession',
      protocol: 'rtsp',
      rtsp: {
        transport: 'UDP',
        profile: null,
        rtpPacketsLost: 9,
        rtpPacketsInError: 9,
        rtcpPacketsInError: 9,
        jitter: null,
        rtpPacketsReportedLost: 0,
        rtpPacketsDiscarded: 0,
        window10s: { rtpLost: 4, rtpErrors: 2, rtcpErrors: 1 },
      },
    });
    expect(connectionHealth(rtsp, rules)).toEqual({
      level: 'warn',
      reasons: ['RTP loss 4 packets in 10 s', 'RTP 2 packets in error in 10 s', 'RTCP 1 packet in error in 10 s'],
    });
    const webrtc = conn({
      type: 'webRTCSession',
      protocol: 'webrtc',
      webrtc: {
        peerConnectionEstablished: true,
        localCandidate: null,
        remoteCandidate: null,
        jitter: null,
        rtpPacketsLost: 3,
        framesDiscarded: 0,
        window10s: { rtpLost: 3 },
      },
    });
    expect(connectionHealth(webrtc, rules)).toEqual({ level: 'warn', reasons: ['RTP loss 3 packets in 10 s'] });
    expect(connectionHealth({ ...webrtc, webrtc: { ...webrtc.webrtc!, window10s: { rtpLost: 0 } } }, rules).level).toBe('ok');
  });

  test('thresholds are tunable and 0 switches a rule off', () => {
    const tuned: HealthRules = { ...rules, srtDropCrit: 5, srtLossWarn: 0, srtLatencyCritRttFactor: 0, srtLatencyWarnRttFactor: 2.5 };
    const c = conn({ srt: srt({ latencyMs: 100, rttMs: 45, window10s: srtWindow({ drop: 4, loss: 100 }) }) });
    expect(connectionHealth(c, tuned)).toEqual({ level: 'warn', reasons: ['SRT latency 100 ms is under 2.5x RTT (45 ms)'] });
    const c5 = conn({ srt: srt({ window10s: srtWindow({ drop: 5 }) }) });
    expect(connectionHealth(c5, tuned)).toEqual({ level: 'crit', reasons: ['SRT drop 5 packets in 10 s'] });
  });

  test('connections without windows (not derived) or without protocol blocks are ok', () => {
    expect(connectionHealth(conn({ srt: srt({ window10s: null, window60s: null }) }), rules).level).toBe('ok');
    expect(connectionHealth(conn(), rules)).toEqual({ level: 'ok', reasons: [] });
  });
});

describe('stream health', () => {
  test('offline since: crit until it returns; a never-online offline path is ok', () => {
    const [down, idle] = applyHealth(
      [stream({ online: false, offlineSince: '2026-11-24T05:00:00.000Z' }), stream({ name: 'idle', online: false })],
      rules,
    );
    expect(down.health).toEqual({ level: 'crit', reasons: ['offline since 2026-11-24T05:00:00Z'] });
    expect(idle.health).toEqual({ level: 'ok', reasons: [] });
    expect(applyHealth([stream({ online: false, offlineSince: 'x' })], { ...rules, offlineCrit: false })[0].health.level).toBe('ok');
  });

  test('frames in error growing in 10 s -> warn', () => {
    expect(applyHealth([stream({ inboundFramesInError: 50, inboundFramesInError10s: 12 })], rules)[0].health).toEqual({
      level: 'warn',
      reasons: ['12 frames in error in 10 s'],
    });
    expect(applyHealth([stream({ inboundFramesInError: 50, inboundFramesInError10s: 0 })], rules)[0].health.level).toBe('ok');
  });

  test("the worst of the stream's own and its connections'; reader reasons prefixed with protocol and short id", () => {
    const source = conn({ srt: srt({ window10s: srtWindow({ loss: 2 }) }) });
    const reader1 = conn({ id: 'aaaaaaaa-1111-2222', direction: 'read', srt: srt({ latencyMs: 20, rttMs: 10, window10s: srtWindow({ drop: 1 }) }) });
    const reader2 = conn({ id: 'r2', type: 'hlsSession', protocol: 'hls', direction: 'read' });
    const [s] = applyHealth([stream({ source, readerList: [reader1, reader2], inboundFramesInError10s: 1 })], rules);
    expect(s.health.level).toBe('crit');
    expect(s.health.reasons).toEqual([
      '1 frame in error in 10 s',
      'SRT loss 2 packets in 10 s',
      'srt reader aaaaaaaa: SRT drop 1 packet in 10 s',
      'srt reader aaaaaaaa: SRT latency 20 ms is under 3x RTT (10 ms)',
    ]);
    expect(s.source!.health).toEqual({ level: 'warn', reasons: ['SRT loss 2 packets in 10 s'] });
    expect(s.readerList[0].health.level).toBe('crit');
    expect(s.readerList[1].health).toEqual({ level: 'ok', reasons: [] });
  });

  test('a warn source makes the stream warn; the health is filled into the given stream and connections', () => {
    const input = [stream({ source: conn({ srt: srt({ window10s: srtWindow({ retrans: 1 }) }) }) })];
    const out = applyHealth(input, rules);
    expect(out).toBe(input);
    expect(input[0].health.level).toBe('warn');
    expect(input[0].source!.health).toEqual({ level: 'warn', reasons: ['SRT retransmit 1 packet in 10 s'] });
  });

  test('end to end: normalize -> derive -> applyHealth flags an SRT drop, then clears it after 10 s', () => {
    let state = initialDeriveState();
    const poll = (drop: number, t: number): Stream => {
      const raw = snapshot([srtPath('cam', 'pub')], { srtConn: [srtConn('pub', 'cam', 'publish', { drop, rtt: 2 })] });
      const d = derive(state, normalize(raw, { node: 'n1', excludePrefixes: [] }), t);
      state = d.state;
      return applyHealth(d.streams, rules)[0];
    };
    const t0 = Date.parse('2026-11-24T05:00:00Z');
    expect(poll(0, t0).health.level).toBe('ok');
    expect(poll(3, t0 + 1000).health).toEqual({ level: 'crit', reasons: ['SRT drop 3 packets in 10 s'] });
    expect(poll(3, t0 + 11_000).health).toEqual({ level: 'ok', reasons: [] });
  });
});

describe('healthRulesFromEnv', () => {
  test('defaults', () => {
    expect(healthRulesFromEnv({})).toEqual(DEFAULT_HEALTH_RULES);
    expect(DEFAULT_HEALTH_RULES).toMatchObject({ srtLatencyCritRttFactor: 3, srtLatencyWarnRttFactor: 4, srtDropCrit: 1 });
  });

  test('every variable', () => {
    expect(
      healthRulesFromEnv({
        HEALTH_SRT_DROP_CRIT: '2',
        HEALTH_SRT_BELATED_CRIT: '3',
        HEALTH_SRT_UNDECRYPT_CRIT: '4',
        HEALTH_SRT_LOSS_WARN: '5',
        HEALTH_SRT_RETRANS_WARN: '0',
        HEALTH_SRT_LATENCY_CRIT_RTT_FACTOR: '2.5',
        HEALTH_SRT_LATENCY_WARN_RTT_FACTOR: '3.5',
        HEALTH_RTP_LOSS_WARN: '10',
        HEALTH_RTP_ERRORS_WARN: '11',
        HEALTH_FRAMES_IN_ERROR_WARN: '12',
        HEALTH_OFFLINE_CRIT: 'false',
      }),
    ).toEqual({
      srtDropCrit: 2,
      srtBelatedCrit: 3,
      srtUndecryptCrit: 4,
      srtLossWarn: 5,
      srtRetransWarn: 0,
      srtLatencyCritRttFactor: 2.5,
      srtLatencyWarnRttFactor: 3.5,
      rtpLossWarn: 10,
      rtpErrorsWarn: 11,
      framesInErrorWarn: 12,
      offlineCrit: false,
    });
  });

  test.each([
    ['HEALTH_SRT_DROP_CRIT', '-1'],
    ['HEALTH_SRT_LOSS_WARN', 'many'],
    ['HEALTH_RTP_LOSS_WARN', '1.5'],
    ['HEALTH_SRT_LATENCY_CRIT_RTT_FACTOR', 'x3'],
    ['HEALTH_SRT_LATENCY_WARN_RTT_FACTOR', '-4'],
    ['HEALTH_OFFLINE_CRIT', 'maybe'],
  ])('%s=%s is a ConfigError naming the variable', (variable, value) => {
    expect(() => healthRulesFromEnv({ [variable]: value })).toThrow(ConfigError);
    expect(() => healthRulesFromEnv({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });

  test('a warn factor below the crit factor is a ConfigError naming the warn factor', () => {
    expect(() => healthRulesFromEnv({ HEALTH_SRT_LATENCY_CRIT_RTT_FACTOR: '5' })).toThrow(/^HEALTH_SRT_LATENCY_WARN_RTT_FACTOR: /);
    expect(healthRulesFromEnv({ HEALTH_SRT_LATENCY_CRIT_RTT_FACTOR: '5', HEALTH_SRT_LATENCY_WARN_RTT_FACTOR: '0' }).srtLatencyWarnRttFactor).toBe(0);
  });
});
