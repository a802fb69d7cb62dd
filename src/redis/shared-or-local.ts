import type { Logger } from '@nestjs/common';
import { SharedOrLocal } from '../common/resilience/shared-or-local';
import type { RedisClient } from './redis.module';

/** `SharedOrLocal` over the shared Redis connection: shared while it is configured and ready. */
export function redisOrLocal(
  redis: RedisClient,
  logger: Logger,
  what: string,
): SharedOrLocal<NonNullable<RedisClient>> {
  return new SharedOrLocal(redis, (client) => client.status === 'ready', logger, what);
}
