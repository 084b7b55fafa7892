import { ConfigError } from '@mmon/shared';

export const NAME_PLACEHOLDER = '{name}';

/** The protocols ffmpeg can read a MediaMTX path over. */
export const SOURCE_PROTOCOLS = ['rtsp', 'rtsps', 'srt', 'rtmp', 'rtmps', 'http', 'https'] as const;

/**
 * A path name made safe for a URL: every segment percent-encoded, the slashes between them kept,
 * so "cams/front door" becomes "cams/front%20door" in an RTSP path or an SRT streamid alike
 * (ffmpeg decodes the streamid).
 */
export function encodeName(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

/** The source address of one stream: the template with every {name} filled in. */
export function sourceUrl(template: string, name: string): string {
  return template.split(NAME_PLACEHOLDER).join(encodeName(name));
}

/** Without SNAPSHOT_SOURCE_URL: MediaMTX's RTSP port on the API's host, without the API's credentials. */
export function defaultTemplate(apiUrl: URL): string {
  return `rtsp://${apiUrl.hostname}:8554/${NAME_PLACEHOLDER}`;
}

/** Checks a template: it holds {name} and, filled in, is a URL of a protocol ffmpeg reads. */
export function checkTemplate(variable: string, template: string): string {
  if (!template.includes(NAME_PLACEHOLDER)) throw new ConfigError(variable, `must contain ${NAME_PLACEHOLDER}`);
  let parsed: URL;
  try {
    parsed = new URL(sourceUrl(template, 'name'));
  } catch {
    throw new ConfigError(variable, 'must be a URL template such as rtsp://host:8554/{name}');
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (!(SOURCE_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new ConfigError(variable, `must use one of ${SOURCE_PROTOCOLS.join(', ')}, got "${protocol}"`);
  }
  return template;
}
