import { createLogger, runMain } from '@mmon/shared';
import { readConfig } from './config';
import { startApi } from './server';

runMain(async () => {
  const config = readConfig(process.env);
  const logger = createLogger('api', config.logLevel);
  const api = await startApi({ ...config, logger });
  const { mode, users, maskAddresses, metricsToken } = config.auth;
  logger.info('api listening', { port: api.port, host: config.host, staticDir: config.staticDir });
  // Which access mode, in words an operator acts on; never a hash or a token.
  logger.info(
    mode === 'none'
      ? `access: no login (no MONITOR_USERS_FILE)${config.host === '127.0.0.1' ? ', so listening on 127.0.0.1 only' : `, listening on ${config.host} as API_HOST says`}`
      : mode === 'password'
        ? `access: login required (${users.size} user${users.size === 1 ? '' : 's'} from MONITOR_USERS_FILE)`
        : 'access: single sign-on proxy (AUTH_PROXY_HEADER from AUTH_TRUSTED_PROXIES)',
    { mode, host: config.host, maskAddresses, metricsToken: metricsToken !== null },
  );
  return {
    async stop() {
      await api.close();
      logger.info('api stopped');
    },
  };
});
