import type { Connection, Health, HealthLevel, Stream } from '@mmon/shared';

/**
 * Thresholds of the health rules. A count threshold is "at least this many in 10 s"; 0 switches
 * the rule off, as does a factor of 0.
 */
export interface HealthRules {
  /** SRT packets dropped (not delivered in time) in 10 s -> crit. */
  srtDropCrit: number;
  /** SRT packets received too late in 10 s -> crit. */
  srtBelatedCrit: number;
  /** SRT packets that failed to decrypt in 10 s -> crit. */
  srtUndecryptCrit: number;
  /** SRT packets lost in 10 s -> warn. */
  srtLossWarn: number;
  /** SRT packets retransmitted in 10 s -> warn. */
  srtRetransWarn: number;
  /** SRT latency under this many times the RTT -> crit. */
  srtLatencyCritRttFactor: number;
  /** SRT latency under this many times the RTT -> warn. */
  srtLatencyWarnRttFactor: number;
  /** RTP packets lost in 10 s (RTSP, WebRTC) -> warn. */
  rtpLossWarn: number;
  /** RTP or RTCP packets in error in 10 s (RTSP) -> warn. */
  rtpErrorsWarn: number;
  /** Growth of the path's inboundFramesInError in 10 s -> warn. */
  framesInErrorWarn: number;
  /** A stream that was online and went offline is crit until it returns. */
  offlineCrit: boolean;
}

export const DEFAULT_HEALTH_RULES: HealthRules = {
  srtDropCrit: 1,
  srtBelatedCrit: 1,
  srtUndecryptCrit: 1,
  srtLossWarn: 1,
  srtRetransWarn: 1,
  srtLatencyCritRttFactor: 3,
  srtLatencyWarnRttFactor: 4,
  rtpLossWarn: 1,
  rtpErrorsWarn: 1,
  framesInErrorWarn: 1,
  offlineCrit: true,
};

const RANK: Record<HealthLevel, number> = { ok: 0, warn: 1, crit: 2 };

/**
 * The health of everything without findings, shared by all of them (almost every stream and
 * connection of a poll): one object instead of two per stream and connection, which at 10k paths
 * is a good share of a poll's allocations. Frozen, so no caller can change it for all.
 */
export const OK_HEALTH: Health = Object.freeze({ level: 'ok', reasons: Object.freeze([]) as unknown as string[] });

function worse(a: HealthLevel, b: HealthLevel): HealthLevel {
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * Gives every connection and stream its health {level, reasons}. A stream's level is the worst
 * of its own rules (offline, frames in error) and its connections'; its reasons are its own, its
 * source's, and its readers' prefixed with the reader's protocol and short id. Works on derived
 * streams (windows, offlineSince); rules whose figures are missing are skipped. The health is
 * filled into the given streams and connections (derive's output, made for this poll: copying
 * them again costs more than the rules), which are returned.
 */
export function applyHealth(streams: Stream[], rules: HealthRules): Stream[] {
  for (const stream of streams) fillHealth(stream, rules);
  return streams;
}

function fillHealth(stream: Stream, rules: HealthRules): void {
  const own = new Verdict();
  if (rules.offlineCrit && !stream.online && stream.offlineSince !== null) {
    own.add('crit', `offline since ${stream.offlineSince.replace(/\.\d+Z$/, 'Z')}`);
  }
  const frames = stream.inboundFramesInError10s ?? 0;
  if (atLeast(frames, rules.framesInErrorWarn)) own.add('warn', `${count(frames, 'frame')} in error in 10 s`);

  if (stream.source !== null) {
    stream.source.health = connectionHealth(stream.source, rules);
    own.merge(stream.source.health, '');
  }
  for (const reader of stream.readerList) {
    reader.health = connectionHealth(reader, rules);
    // The prefix is built only for a reader with findings (most have none).
    if (reader.health.reasons.length > 0) {
      own.merge(reader.health, `${reader.protocol ?? reader.type} reader ${shortId(reader.id)}: `);
    }
  }
  stream.health = own.health();
}

export function connectionHealth(conn: Connection, rules: HealthRules): Health {
  const v = new Verdict();
  const srt = conn.srt;
  if (srt !== undefined) {
    const w = srt.window10s;
    if (w !== null) {
      if (atLeast(w.drop, rules.srtDropCrit)) v.add('crit', `SRT drop ${count(w.drop, 'packet')} in 10 s`);
      if (atLeast(w.belated, rules.srtBelatedCrit)) v.add('crit', `SRT belated ${count(w.belated, 'packet')} in 10 s`);
      if (atLeast(w.undecrypt, rules.srtUndecryptCrit)) {
        v.add('crit', `SRT undecryptable ${count(w.undecrypt, 'packet')} in 10 s`);
      }
      if (atLeast(w.loss, rules.srtLossWarn)) v.add('warn', `SRT loss ${count(w.loss, 'packet')} in 10 s`);
      if (atLeast(w.retrans, rules.srtRetransWarn)) v.add('warn', `SRT retransmit ${count(w.retrans, 'packet')} in 10 s`);
    }
    if (srt.latencyMs !== null && srt.rttMs !== null && srt.rttMs > 0) {
      const factor = latencyFactorBroken(srt.latencyMs, srt.rttMs, rules);
      if (factor !== null) {
        v.add(
          factor.level,
          `SRT latency ${fmt(srt.latencyMs)} ms is under ${fmt(factor.factor)}x RTT (${fmt(srt.rttMs)} ms)`,
        );
      }
    }
  }
  const rtsp = conn.rtsp?.window10s;
  if (rtsp != null) {
    if (atLeast(rtsp.rtpLost, rules.rtpLossWarn)) v.add('warn', `RTP loss ${count(rtsp.rtpLost, 'packet')} in 10 s`);
    if (atLeast(rtsp.rtpErrors, rules.rtpErrorsWarn)) {
      v.add('warn', `RTP ${count(rtsp.rtpErrors, 'packet')} in error in 10 s`);
    }
    if (atLeast(rtsp.rtcpErrors, rules.rtpErrorsWarn)) {
      v.add('warn', `RTCP ${count(rtsp.rtcpErrors, 'packet')} in error in 10 s`);
    }
  }
  const webrtc = conn.webrtc?.window10s;
  if (webrtc != null && atLeast(webrtc.rtpLost, rules.rtpLossWarn)) {
    v.add('warn', `RTP loss ${count(webrtc.rtpLost, 'packet')} in 10 s`);
  }
  return v.health();
}

function latencyFactorBroken(
  latencyMs: number,
  rttMs: number,
  rules: HealthRules,
): { level: HealthLevel; factor: number } | null {
  const crit = rules.srtLatencyCritRttFactor;
  const warn = rules.srtLatencyWarnRttFactor;
  if (crit > 0 && latencyMs < crit * rttMs) return { level: 'crit', factor: crit };
  if (warn > 0 && latencyMs < warn * rttMs) return { level: 'warn', factor: warn };
  return null;
}

/** Collects a level and reasons; without any it yields the shared OK_HEALTH. */
class Verdict {
  private level: HealthLevel = 'ok';
  private reasons: string[] | null = null;

  add(level: HealthLevel, reason: string): void {
    this.level = worse(this.level, level);
    (this.reasons ??= []).push(reason);
  }

  merge(health: Health, prefix: string): void {
    this.level = worse(this.level, health.level);
    for (const reason of health.reasons) (this.reasons ??= []).push(prefix + reason);
  }

  health(): Health {
    if (this.level === 'ok' && this.reasons === null) return OK_HEALTH;
    return { level: this.level, reasons: this.reasons ?? [] };
  }
}

function atLeast(value: number, threshold: number): boolean {
  return threshold > 0 && value >= threshold;
}

function count(n: number, noun: string): string {
  return `${fmt(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
