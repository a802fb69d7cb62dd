import { DynamicModule, Module } from '@nestjs/common';
import { WinstonModule } from 'nest-winston';
import type { AppConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { AuditModule } from '../modules/audit/audit.module';
import { AuthModule } from '../modules/auth/auth.module';
import { createWinstonOptions } from '../observability/logger.factory';
import { RedisModule } from '../redis/redis.module';

/** The slice of the application the command-line tools need: config, database, audit and auth. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(config),
        WinstonModule.forRoot(createWinstonOptions(config)),
        DatabaseModule,
        RedisModule,
        AuditModule,
        AuthModule,
      ],
    };
  }
}
