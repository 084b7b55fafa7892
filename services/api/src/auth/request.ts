import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyaddr from 'proxy-addr';

/** Decides whether an address is one of AUTH_TRUSTED_PROXIES (proxy-addr's compiled list). */
export type Trust = (address: string, hop: number) => boolean;

export function compileTrust(proxies: readonly string[]): Trust {
  return proxyaddr.compile([...proxies]);
}

/** The peer the request came from: the socket's address, never a header. */
export function peerAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}

/** The client's address: the peer, or the address a trusted proxy put in X-Forwarded-For. */
export function clientAddress(req: IncomingMessage, trust: Trust): string {
  return proxyaddr(req as Parameters<typeof proxyaddr>[0], trust);
}

/** Whether the request came over HTTPS: to the api itself, or to a trusted proxy that says so in X-Forwarded-Proto. */
export function isHttps(req: IncomingMessage, trust: Trust): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  if (!trust(peerAddress(req), 0)) return false;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0].trim().toLowerCase();
  return first === 'https';
}

/**
 * The CSRF check of a state-changing request or a WebSocket handshake: a browser says where the
 * request comes from in Sec-Fetch-Site (every current one) or else in Origin, which must then name
 * the host the request was sent to (by host name alone when Host has no port, as a proxy may
 * rewrite it). A request with neither header comes from no browser (curl, scripts): nothing to
 * forge there, and it still needs the session cookie.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, a redirect) and anything unreadable
  }
  return url.host === host || (!host.includes(':') && url.hostname === host);
}
