import ipaddr from 'ipaddr.js';
import type { Connection, StreamDetailPart } from '@mmon/shared';

/** Runs of characters an IP address (with a port after a colon) is made of. */
const ADDRESS_RUN = /[0-9A-Fa-f:.]+/g;
const PORT_SUFFIX = /:\d{1,5}$/;

/** An address hidden to its network: IPv4 without its last octet, IPv6 to its /64 (an IPv4-mapped one as IPv4). */
function maskOne(text: string): string | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const [a, b, c] = ipaddr.IPv4.parse(text).octets;
    return `${a}.${b}.${c}.0`;
  }
  if (!text.includes(':') || !ipaddr.IPv6.isValid(text)) return null;
  const v6 = ipaddr.IPv6.parse(text);
  if (v6.isIPv4MappedAddress()) return `::ffff:${maskOne(v6.toIPv4Address().toString())}`;
  return new ipaddr.IPv6([...v6.parts.slice(0, 4), 0, 0, 0, 0]).toString();
}

/**
 * Masks every IP address inside a text (a remote address "203.0.113.7:5000" or "[2001:db8::1]:5000",
 * a WebRTC candidate): "203.0.113.0:5000", "[2001:db8::]:5000". Anything else is left as it is.
 */
export function maskAddresses(text: string): string {
  return text.replace(ADDRESS_RUN, (run) => {
    const whole = maskOne(run);
    if (whole !== null) return whole;
    const port = PORT_SUFFIX.exec(run);
    const host = port ? maskOne(run.slice(0, port.index)) : null;
    return host !== null ? host + port![0] : run;
  });
}

function maskConnection(c: Connection | null): void {
  if (!c) return;
  if (typeof c.remoteAddr === 'string') c.remoteAddr = maskAddresses(c.remoteAddr);
  if (c.webrtc) {
    if (typeof c.webrtc.remoteCandidate === 'string') c.webrtc.remoteCandidate = maskAddresses(c.webrtc.remoteCandidate);
    if (typeof c.webrtc.localCandidate === 'string') c.webrtc.localCandidate = maskAddresses(c.webrtc.localCandidate);
  }
}

/**
 * A stored detail part (JSON StreamDetailPart) with the publisher's and the readers' addresses
 * masked. Parsed, since the part is text that the api otherwise splices unread; done only for the
 * callers who see masked addresses.
 */
export function maskDetailPart(partJson: string): string {
  const part = JSON.parse(partJson) as StreamDetailPart;
  maskConnection(part.source);
  for (const c of Array.isArray(part.readerList) ? part.readerList : []) maskConnection(c);
  return JSON.stringify(part);
}
