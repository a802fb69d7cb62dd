import type { DynamicModule, Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { WinstonModule } from 'nest-winston';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { createWinstonOptions } from './observability/logger.factory';
import { RedisModule } from './redis/redis.module';

/**
 * What every entry point (the service, the command-line tools) stands on: config, logging, PostgreSQL (with the
 * scheduler registry its cluster scheduler needs), Redis.
 */
export function foundationModules(config: AppConfig): (DynamicModule | Type)[] {
  return [
    AppConfigModule.forRoot(config),
    WinstonModule.forRoot(createWinstonOptions(config)),
    ScheduleModule.forRoot(),
    DatabaseModule,
    RedisModule,
  ];
}
