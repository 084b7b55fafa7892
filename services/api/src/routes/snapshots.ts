import { Router, type Response } from 'express';
import { SnapshotStore, type SnapshotMeta } from '@mmon/shared';
import type { ApiDeps } from '../deps';
import { HttpError, fromRedis, writeError } from '../errors';
import { NODE_ID } from '../query';

/** /api/snapshots/<node>/<name>.jpg, each one encoded segment (as snapshotImageUrl builds it). */
const IMAGE_PATH = /^\/api\/snapshots\/([^/]+)\/([^/]+)\.jpg$/;
const MAX_NAME_LENGTH = 1024;

/**
 * The stream name of an image request from the raw (still encoded) path segment; %2F stands for
 * a slash inside the name. Names that could address something else are a 400.
 */
export function imageName(encoded: string): string {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw new HttpError(400, 'malformed snapshot name');
  }
  if (
    name.length > MAX_NAME_LENGTH ||
    name.startsWith('/') ||
    /[\0\\]/.test(name) ||
    name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new HttpError(400, 'invalid snapshot name');
  }
  return name;
}

/** The node of an image request from the raw (still encoded) path segment. */
export function imageNode(encoded: string): string {
  let node: string;
  try {
    node = decodeURIComponent(encoded);
  } catch {
    throw new HttpError(400, 'malformed snapshot node');
  }
  if (!NODE_ID.test(node)) throw new HttpError(400, 'invalid snapshot node');
  return node;
}

/**
 * GET /api/snapshots/latest: the snapshotters' index of every node, [{ node, name, takenAt, url, error?, … }], passed through.
 * GET /api/snapshots/<encodeURIComponent(node)>/<encodeURIComponent(name)>.jpg: the stream's latest thumbnail.
 */
export function snapshotRoutes(deps: ApiDeps): Router {
  const router = Router();
  const snapshots = new SnapshotStore(deps.redis);
  router.get('/api/snapshots/latest', async (_req, res) => {
    const index = await fromRedis(snapshots.index());
    res.set('Cache-Control', 'no-cache').type('application/json').send(index);
  });
  router.get(IMAGE_PATH, async (req, res) => {
    // req.path is still percent-encoded; node and name are decoded exactly once, here.
    const [, encodedNode, encodedName] = IMAGE_PATH.exec(req.path)!;
    const node = imageNode(encodedNode);
    const name = imageName(encodedName);
    const { image, meta } = await fromRedis(snapshots.image(node, name));
    if (image === null) return writeError(res, 404, 'no snapshot of this stream');
    sendImage(res, image, meta);
  });
  return router;
}

function sendImage(res: Response, image: Buffer, meta: SnapshotMeta | null): void {
  const takenAtMs = meta ? Date.parse(meta.takenAt) : NaN;
  const etag = `"${Number.isNaN(takenAtMs) ? 'unknown' : takenAtMs.toString(36)}-${image.length.toString(36)}"`;
  res.set({ 'Cache-Control': 'no-cache', ETag: etag, 'X-Content-Type-Options': 'nosniff' });
  if (!Number.isNaN(takenAtMs)) res.set('Last-Modified', new Date(takenAtMs).toUTCString());
  res.type('image/jpeg').send(image); // Express answers 304 itself when the request is fresh
}
