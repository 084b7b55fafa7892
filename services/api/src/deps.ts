import type Redis from 'ioredis';
import type { Logger } from '@mmon/shared';

/** What every route module gets: a Redis command connection and the logger. */
export interface ApiDeps {
  redis: Redis;
  logger: Logger;
}
