import { Heartbeat, MediaMtxClient, StreamHistoryWriter, StreamStore, FaultLog, connectRedis, createLogger, runMain } from '@mmon/shared';
import { readConfig } from './config';
import { NodeCollector } from './nodeCollector';

runMain(() => {
  const config = readConfig(process.env);
  const logger = createLogger('collector', config.logLevel);
  const redis = connectRedis(config.redis, new FaultLog(logger));
  // The merged view at most twice per interval however many nodes publish (see StreamStore).
  const store = new StreamStore(redis, config.nodeTtlSeconds, Math.floor(config.intervalMs / 2));
  const heartbeat = Heartbeat.fromEnv(process.env);
  const collectors = config.nodes.map(
    (node) =>
      new NodeCollector(
        {
          node: node.id,
          intervalMs: config.intervalMs,
          excludePrefixes: config.excludePrefixes,
          health: config.health,
          goneRetentionMs: config.goneRetentionMs,
          detailEveryCycleMaxConns: config.detailEveryCycleMaxConns,
          detailMaxAgeMs: config.detailMaxAgeMs,
          // A few intervals, never more than ten request timeouts (issue #13).
          pollDeadlineMs: Math.min(3 * config.intervalMs, 10 * config.timeoutMs),
          maxPlausibleGbps: config.maxPlausibleGbps,
        },
        {
          client: new MediaMtxClient({ baseUrl: node.baseUrl, user: node.user, pass: node.pass, timeoutMs: config.timeoutMs, pageSize: config.pageSize, maxItems: config.maxItems }),
          store,
          history: config.historyTiers === null ? null : new StreamHistoryWriter(redis, config.historyTiers),
          logger,
          heartbeat,
        },
      ),
  );
  collectors.forEach((c) => c.start());
  logger.info('collector started', { nodes: config.nodes.map((n) => ({ id: n.id, url: n.baseUrl })), intervalMs: config.intervalMs });
  return {
    async stop() {
      await Promise.all(collectors.map((c) => c.stop()));
      redis.disconnect();
      logger.info('collector stopped');
    },
  };
});
