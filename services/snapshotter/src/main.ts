import { FaultLog, Heartbeat, SnapshotStore, connectRedis, createLogger, redactUrl, runMain } from '@mmon/shared';
import { readConfig } from './config';
import { FrameGrabber } from './frameGrabber';
import { Snapshotter } from './snapshotter';

runMain(() => {
  const config = readConfig(process.env);
  const logger = createLogger('snapshotter', config.logLevel);
  const redis = connectRedis(config.redis, new FaultLog(logger));
  const grabber = new FrameGrabber({
    ffmpegPath: config.ffmpegPath,
    width: config.width,
    timeoutMs: config.timeoutMs,
    killGraceMs: config.killGraceMs,
  });
  const snapshotter = new Snapshotter(
    {
      intervalMs: config.intervalMs,
      concurrency: config.concurrency,
      nodes: config.nodes,
      sourceTemplate: config.sourceTemplate,
      maxBackoffMs: config.maxBackoffMs,
    },
    { redis, grabber, store: new SnapshotStore(redis), logger, heartbeat: Heartbeat.fromEnv(process.env) },
  );
  snapshotter.start();
  logger.info('snapshotter started', {
    source: redactUrl(config.sourceTemplate),
    nodes: config.nodes,
    intervalMs: config.intervalMs,
    width: config.width,
    concurrency: config.concurrency,
    timeoutMs: config.timeoutMs,
  });
  return {
    async stop() {
      await snapshotter.stop();
      redis.disconnect();
      logger.info('snapshotter stopped');
    },
  };
});
