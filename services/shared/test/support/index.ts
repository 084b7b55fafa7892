export { RedisServer, freePort, waitForPort } from './redisServer';
export { eventually } from './eventually';
export { collectorStatus } from './fixtures';
export { contractFile } from './contracts';
export { useRedis, type UsedRedis } from './useRedis';
