import { ConfigError } from '@mmon/shared';

/** What a source address template may hold; {name} is required. */
export const PLACEHOLDERS = ['host', 'node', 'name'] as const;

/** Without SNAPSHOT_SOURCE_URL: MediaMTX's RTSP port on each node's API host (without the API's credentials). */
export const DEFAULT_TEMPLATE = 'rtsp://{host}:8554/{name}';

/** The protocols ffmpeg can read a MediaMTX path over. */
export const SOURCE_PROTOCOLS = ['rtsp', 'rtsps', 'srt', 'rtmp', 'rtmps', 'http', 'https'] as const;

/** One stream's values for a template: its node's API host ("[::1]" for IPv6), the node id and the path name. */
export interface SourceValues {
  host: string;
  node: string;
  name: string;
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/**
 * A path name made safe for a URL: every segment percent-encoded, the slashes between them kept,
 * so "cams/front door" becomes "cams/front%20door" in an RTSP path or an SRT streamid alike
 * (ffmpeg decodes the streamid).
 */
export function encodeName(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

/**
 * The source address of one stream: the template with {host}, {node} and {name} filled in, in one
 * pass (a name holding "{host}" stays text). Host and node need no encoding: the host comes from a
 * parsed URL and node ids are [A-Za-z0-9._-].
 */
export function sourceUrl(template: string, values: SourceValues): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => {
    if (key === 'name') return encodeName(values.name);
    if (key === 'host' || key === 'node') return values[key];
    return whole;
  });
}

/** The host of a node's API URL as a URL needs it (IPv6 in brackets). */
export function apiHost(baseUrl: string): string {
  return new URL(baseUrl).hostname;
}

/**
 * Checks a template: it holds {name}, no placeholder but {host}, {node} and {name} (a typo would
 * otherwise reach ffmpeg), and, filled in, is a URL of a protocol ffmpeg reads.
 */
export function checkTemplate(variable: string, template: string): string {
  if (!template.includes('{name}')) throw new ConfigError(variable, 'must contain {name}');
  for (const [, key] of template.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(key)) {
      throw new ConfigError(variable, `knows only {host}, {node} and {name}, got {${key}}`);
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(sourceUrl(template, { host: 'host', node: 'node', name: 'name' }));
  } catch {
    throw new ConfigError(variable, 'must be a URL template such as rtsp://{host}:8554/{name}');
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (!(SOURCE_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new ConfigError(variable, `must use one of ${SOURCE_PROTOCOLS.join(', ')}, got "${protocol}"`);
  }
  return template;
}
