export { RedisServer, freePort, waitForPort } from './redisServer';
export { eventually } from './eventually';
