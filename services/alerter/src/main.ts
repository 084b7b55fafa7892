import { FaultLog, Heartbeat, connectRedis, connectSubscriber, createLogger, runMain } from '@mmon/shared';
import { Alerter } from './alerter';
import { readConfig } from './config';

runMain(() => {
  const config = readConfig(process.env);
  const logger = createLogger('alerter', config.logLevel);
  const faults = new FaultLog(logger);
  const redis = connectRedis(config.redis, faults);
  const subscriber = connectSubscriber(config.redis, faults);
  const alerter = new Alerter(config, { redis, subscriber, faults, logger, heartbeat: Heartbeat.fromEnv(process.env) });
  alerter.start();
  const { ruleSet } = config;
  // Names and types only: notifier URLs carry secrets.
  logger.info('alerter started', {
    rules: ruleSet.source ?? 'built-in defaults',
    ruleNames: ruleSet.rules.map((r) => r.name),
    notifiers: ruleSet.notifiers.map((n) => `${n.name} (${n.type})`),
    intervalMs: config.intervalMs,
  });
  return {
    async stop() {
      await alerter.stop();
      redis.disconnect();
      logger.info('alerter stopped');
    },
  };
});
