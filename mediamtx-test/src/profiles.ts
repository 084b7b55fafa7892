/** Building blocks for scenarios: stable ids, plausible traffic counters per protocol, tracks. */
import type { ConnType } from '@mmon/shared';
import type { Counters, ScenarioTrack } from './scenario';

/** A stable UUID (version 4 layout) for connection number n. */
export function connId(n: number): string {
  const hex = Math.trunc(n).toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex.slice(-12)}`;
}

/** An RFC 3339 time `minutesAgo` before `now`. */
export function ago(now: number, minutesAgo: number): string {
  return new Date(now - minutesAgo * 60_000).toISOString();
}

/**
 * Counters of a healthy connection carrying `mbps` of media: bytes and packets growing at that
 * rate plus the gauges MediaMTX reports for the protocol (SRT RTT, link capacity, latency, ...).
 */
export function trafficCounters(type: ConnType, role: 'publish' | 'read', mbps: number): Counters {
  const bytes = mbps * 125_000;
  const packets = Math.max(1, Math.round(bytes / 1316));
  if (type === 'srtConn') return srtCounters(role, mbps, bytes, packets);
  const media = role === 'publish' ? 'inbound' : 'outbound';
  const control = role === 'publish' ? 'outbound' : 'inbound';
  switch (type) {
    case 'rtspSession':
    case 'rtspsSession':
    case 'webRTCSession':
      return {
        [`${media}Bytes`]: { rate: bytes },
        [`${media}RTPPackets`]: { rate: packets },
        [`${media}RTCPPackets`]: { rate: 1 },
        [`${control}Bytes`]: { rate: 120 },
        [`${control}RTCPPackets`]: { rate: 1 },
        ...(role === 'publish' ? { inboundRTPPacketsJitter: { base: 2.5, wobble: 1.2, periodS: 23 } } : {}),
      };
    case 'hlsSession':
      return { outboundBytes: { rate: bytes } };
    default:
      return { [`${media}Bytes`]: { rate: bytes } };
  }
}

function srtCounters(role: 'publish' | 'read', mbps: number, bytes: number, packets: number): Counters {
  const common: Counters = {
    msRTT: { base: 24, wobble: 6, periodS: 31 },
    mbpsLinkCapacity: { base: 850, wobble: 40, periodS: 47 },
    mbpsMaxBW: 1000,
    byteMSS: 1500,
    packetsFlowWindow: 8192,
    msReceiveTsbPdDelay: 120,
    msSendTsbPdDelay: 120,
    packetsReceivedACK: { rate: 100 },
    packetsSentACK: { rate: 100 },
    bytesAvailReceiveBuf: 12_058_624,
    bytesAvailSendBuf: 12_058_624,
  };
  if (role === 'publish') {
    return {
      ...common,
      bytesReceived: { rate: bytes * 1.03 },
      bytesReceivedUnique: { rate: bytes },
      packetsReceived: { rate: packets },
      packetsReceivedUnique: { rate: packets },
      mbpsReceiveRate: { base: mbps, wobble: mbps * 0.05, periodS: 17 },
      packetsReceiveBuf: Math.round(packets * 0.12),
      bytesReceiveBuf: Math.round(bytes * 0.12),
      msReceiveBuf: 118,
    };
  }
  return {
    ...common,
    bytesSent: { rate: bytes * 1.03 },
    bytesSentUnique: { rate: bytes },
    packetsSent: { rate: packets },
    packetsSentUnique: { rate: packets },
    mbpsSendRate: { base: mbps, wobble: mbps * 0.05, periodS: 19 },
    usPacketsSendPeriod: Math.round((1e6 / packets) * 100) / 100,
    packetsFlightSize: 24,
    packetsSendBuf: 30,
    bytesSendBuf: 39_480,
    msSendBuf: 12,
    usSndDuration: { rate: 1e6 },
  };
}

export function h264(width = 1920, height = 1080): ScenarioTrack {
  return { codec: 'H264', codecProps: { width, height, profile: 'High', level: '4.1' } };
}

export function h265(width = 3840, height = 2160): ScenarioTrack {
  return { codec: 'H265', codecProps: { width, height, profile: 'Main', level: '5.1' } };
}

export function aac(sampleRate = 48_000, channelCount = 2): ScenarioTrack {
  return { codec: 'MPEG-4 Audio', codecProps: { sampleRate, channelCount } };
}

export function opus(channelCount = 2): ScenarioTrack {
  return { codec: 'Opus', codecProps: { channelCount } };
}
