import { ConfigError, optionalStr, url, type Env } from './config';

/** One MediaMTX server to watch. Credentials are kept apart from the URL so the URL can be logged. */
export interface NodeTarget {
  id: string;
  baseUrl: string;
  user?: string;
  pass?: string;
}

const NODE_ID = /^[A-Za-z0-9._-]+$/;

/**
 * MEDIAMTX_NODES="id=url,id2=url2" lists several servers (URLs may carry user:password);
 * without it, MEDIAMTX_API_URL (with MEDIAMTX_API_USER/MEDIAMTX_API_PASS) is the single node "local".
 */
export function readNodes(env: Env): NodeTarget[] {
  const list = optionalStr(env, 'MEDIAMTX_NODES');
  const user = optionalStr(env, 'MEDIAMTX_API_USER');
  const pass = env.MEDIAMTX_API_PASS ?? undefined;
  if (list === undefined) {
    return [target('local', url(env, 'MEDIAMTX_API_URL', 'http://127.0.0.1:9997', ['http', 'https']), user, pass)];
  }
  const nodes = list.split(',').map((entry, i) => {
    const eq = entry.indexOf('=');
    const id = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (eq < 0 || !NODE_ID.test(id)) {
      throw new ConfigError('MEDIAMTX_NODES', `entry ${i + 1} must be id=url with an id of letters, digits, '.', '_' or '-'`);
    }
    return target(id, url({ [`MEDIAMTX_NODES`]: value }, 'MEDIAMTX_NODES', '', ['http', 'https']), user, pass);
  });
  const ids = new Set(nodes.map((n) => n.id));
  if (ids.size !== nodes.length) throw new ConfigError('MEDIAMTX_NODES', 'node ids must be unique');
  return nodes;
}

function target(id: string, parsed: URL, user: string | undefined, pass: string | undefined): NodeTarget {
  const node: NodeTarget = { id, baseUrl: '' };
  if (parsed.username !== '') {
    node.user = decodeURIComponent(parsed.username);
    node.pass = decodeURIComponent(parsed.password);
  } else if (user !== undefined) {
    node.user = user;
    node.pass = pass ?? '';
  }
  parsed.username = '';
  parsed.password = '';
  node.baseUrl = parsed.toString().replace(/\/+$/, '');
  return node;
}
