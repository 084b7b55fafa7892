/**
 * The Redis key schema: every key and channel the services share is built here and nowhere else.
 * The design's keys (streams, system, snapshots, history) hold the merged view of all nodes;
 * per-node keys sit beside them under mediamtx:nodes:<id>:.
 */
export const PREFIX = 'mediamtx';

export const keys = {
  /** JSON array of streams, merged over every node (the design's key). */
  streamsLatest: `${PREFIX}:streams:latest`,
  /** JSON object { collectedAt, nodes } written in the same transaction as streamsLatest. */
  streamsMeta: `${PREFIX}:streams:meta`,
  /** JSON object of host metrics (the design's key). */
  systemLatest: `${PREFIX}:system:latest`,
  /** Hash: field "image" (JPEG bytes) and "meta" (JSON); one per stream. */
  snapshot: (name: string) => `${PREFIX}:snapshots:${name}`,
  /** JSON array of { name, takenAt, url, error? } for every stream the snapshotter knows. */
  snapshotsIndex: `${PREFIX}:snapshotsindex:latest`,
  /** Redis Stream of a time series, e.g. history('streams'). */
  history: (series: string) => `${PREFIX}:history:${series}`,
  /** Set of node ids that have ever written. */
  nodes: `${PREFIX}:nodes`,
  /** JSON array of one node's streams. */
  nodeStreams: (node: string) => `${PREFIX}:nodes:${node}:streams`,
  /** JSON object: one node's collector status (see CollectorStatus). */
  nodeStatus: (node: string) => `${PREFIX}:nodes:${node}:status`,
  /** Pub/Sub channel: a message (JSON { kind, at }) after every write of a latest key. */
  updates: `${PREFIX}:updates`,
  /** Lock held while one collector merges the per-node views into streamsLatest. */
  mergeLock: `${PREFIX}:streams:mergelock`,
} as const;

export type UpdateKind = 'streams' | 'system' | 'snapshots';
