/**
 * The Redis key schema: every key and channel the services share is built here and nowhere else.
 * The design's keys (streams, system, snapshots, history) hold the merged view of all nodes;
 * per-node keys sit beside them under mediamtx:nodes:<id>:.
 */
export const PREFIX = 'mediamtx';

export const keys = {
  /** JSON array of stream summaries, merged over every node (the design's key and shape). */
  streamsLatest: `${PREFIX}:streams:latest`,
  /** JSON object { collectedAt, nodes } written in the same script as streamsLatest. */
  streamsMeta: `${PREFIX}:streams:meta`,
  /** JSON object of host metrics (the design's key). */
  systemLatest: `${PREFIX}:system:latest`,
  /**
   * Hash: field "image" (JPEG bytes) and "meta" (JSON SnapshotMeta); one per stream (node and
   * name), written by the snapshotter with an expiry of a few intervals, so a stream that went
   * away loses it.
   */
  snapshot: (node: string, name: string) => `${PREFIX}:snapshots:${node}:${name}`,
  /** Set of the node ids whose snapshot index (nodeSnapshots) was ever written. */
  snapshotNodes: `${PREFIX}:snapshotsindex:nodes`,
  /**
   * Redis Stream of one stream's history in one tier (named by its resolution, e.g. "10s"): one
   * entry per bucket (average, minimum and maximum of every figure, online fraction, worst health),
   * trimmed to the tier's retention. The tier comes first so no node or name can reach another
   * tier's key.
   */
  streamHistory: (tier: string, node: string, name: string) => `${PREFIX}:history:${tier}:stream:${node}:${name}`,
  /** Redis Stream of the host's history (sysmon) in one tier, like streamHistory. */
  hostHistory: (tier: string) => `${PREFIX}:history:${tier}:host`,
  /** JSON array of the tiers ({ resolutionMs, retentionMs }, finest first) the writers of one kind of history use; readers follow it. */
  historyTiers: (kind: 'stream' | 'host') => `${PREFIX}:history:tiers:${kind}`,
  /** Set of node ids that have ever written. */
  nodes: `${PREFIX}:nodes`,
  /** JSON array of one node's stream summaries. */
  nodeSummaries: (node: string) => `${PREFIX}:nodes:${node}:summaries`,
  /** Hash: stream name -> JSON StreamDetailPart (connections), one node's. */
  nodeDetails: (node: string) => `${PREFIX}:nodes:${node}:details`,
  /**
   * Sorted set: stream name -> until when (ms since the epoch) a client views its detail; the
   * collector refreshes those streams' connections in every cycle.
   */
  nodeWatch: (node: string) => `${PREFIX}:nodes:${node}:watch`,
  /**
   * JSON array of SnapshotIndexEntry for every online stream of one node, rewritten (with an
   * expiry) by its snapshotter each cycle, followed by a "snapshots" message on updates; one key
   * per node, so snapshotters serving different nodes never overwrite each other's.
   */
  nodeSnapshots: (node: string) => `${PREFIX}:nodes:${node}:snapshots`,
  /** JSON object: one node's collector status (see CollectorStatus). */
  nodeStatus: (node: string) => `${PREFIX}:nodes:${node}:status`,
  /** Pub/Sub channel: a message (JSON { kind, at, node? }) after every write of a latest key. */
  updates: `${PREFIX}:updates`,
  /** Hash: alert id -> JSON AlertRecord of every pending or firing alert (an inactive alert has no field). */
  alertsState: `${PREFIX}:alerts:state`,
  /** List of JSON AlertEvent (firing, resolved, expired), newest first, trimmed to the alerter's bound. */
  alertsHistory: `${PREFIX}:alerts:history`,
  /** JSON object: the rules and notifiers the alerter loaded (no notifier URLs), for the api. */
  alertsRules: `${PREFIX}:alerts:rules`,
  /** Sorted set: notification id -> when it is due (ms); a claimed one is pushed past its lease. */
  alertsOutbox: `${PREFIX}:alerts:outbox`,
  /** Hash: notification id -> JSON NotificationJob, until it is delivered or given up. */
  alertsJobs: `${PREFIX}:alerts:jobs`,
  /** Hash: notification id -> the token of the alerter that claimed it last. */
  alertsClaims: `${PREFIX}:alerts:claims`,
  /** Hash: notification id -> the notification (same alert and notifier) that waits for it to finish. */
  alertsWaiting: `${PREFIX}:alerts:waiting`,
  /** Hash of one notifier's delivery figures: sent, failed, lastError, lastErrorAt, lastSuccessAt. */
  alertNotifier: (name: string) => `${PREFIX}:alerts:notifiers:${name}`,
  /**
   * JSON Session of one api login (sessionStore.ts), expiring with it. Named by the SHA-256 of the
   * session cookie's token, so what Redis holds cannot be replayed as a cookie.
   */
  session: (tokenHash: string) => `${PREFIX}:auth:sessions:${tokenHash}`,
  /** Key prefix of the failed-login counters (rate-limiter-flexible appends ":<address or user>"), one per kind. */
  loginFailures: (kind: 'address' | 'user') => `${PREFIX}:auth:login-failures:${kind}`,
} as const;

export type UpdateKind = 'streams' | 'system' | 'snapshots' | 'alerts';

/** The "meta" field of a snapshot hash. */
export interface SnapshotMeta {
  node: string;
  name: string;
  /** When the frame was captured (ISO). */
  takenAt: string;
}

/** One entry of a node's snapshot index (nodeSnapshots), as /api/snapshots/latest answers it. */
export interface SnapshotIndexEntry {
  node: string;
  name: string;
  /** Capture time of the image at url; null while there is none. */
  takenAt: string | null;
  /** Where the API serves the image (snapshotImageUrl); null while there is none. */
  url: string | null;
  /** The last capture's failure (short, credentials hidden); absent after a success. */
  error?: string;
  /** Consecutive failed captures, with error. */
  failures?: number;
  /** When the next capture is due after failures (ISO), with error. */
  retryAt?: string;
}

/** The API address of a stream's snapshot image: node and name, each one encoded segment (a name's slashes as %2F). */
export function snapshotImageUrl(node: string, name: string): string {
  return `/api/snapshots/${encodeURIComponent(node)}/${encodeURIComponent(name)}.jpg`;
}
