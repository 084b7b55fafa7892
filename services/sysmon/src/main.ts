import Docker from 'dockerode';
import { FaultLog, Heartbeat, HostHistoryWriter, connectRedis, createLogger, runMain } from '@mmon/shared';
import { readConfig } from './config';
import { ContainerSampler } from './containers';
import { SysmonLoop } from './loop';
import { SystemSampler } from './sampler';

runMain(() => {
  const config = readConfig(process.env);
  const logger = createLogger('sysmon', config.logLevel);
  const faults = new FaultLog(logger);
  const redis = connectRedis(config.redis, faults);
  const docker = new Docker({ socketPath: config.dockerSocket, timeout: Math.max(3000, config.intervalMs) });
  const sampler = new SystemSampler(
    { intervalMs: config.intervalMs, diskPaths: config.diskPaths, netDevFile: config.netDevFile },
    new ContainerSampler(docker, config.containerScope, config.composeProject),
    faults,
  );
  const history = config.historyTiers === null ? null : new HostHistoryWriter(redis, config.historyTiers);
  const loop = new SysmonLoop(config.intervalMs, { sampler, redis, faults, logger, heartbeat: Heartbeat.fromEnv(process.env), history });
  loop.start();
  logger.info('sysmon started', {
    intervalMs: config.intervalMs,
    diskPaths: config.diskPaths,
    netDevFile: config.netDevFile,
    dockerSocket: config.dockerSocket,
    containers: config.containerScope === 'project' ? `project ${config.composeProject}` : 'all',
  });
  return {
    async stop() {
      await loop.stop();
      redis.disconnect();
      logger.info('sysmon stopped');
    },
  };
});
