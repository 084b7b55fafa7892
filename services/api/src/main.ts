import { createLogger, runMain } from '@mmon/shared';
import { readConfig } from './config';
import { startApi } from './server';

runMain(async () => {
  const config = readConfig(process.env);
  const logger = createLogger('api', config.logLevel);
  const api = await startApi({ ...config, logger });
  logger.info('api listening', { port: api.port, host: config.host, staticDir: config.staticDir });
  return {
    async stop() {
      await api.close();
      logger.info('api stopped');
    },
  };
});
