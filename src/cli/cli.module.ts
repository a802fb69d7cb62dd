import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { foundationModules } from '../foundation';
import { AuditModule } from '../modules/audit/audit.module';
import { AuthModule } from '../modules/auth/auth.module';
import { MetricsModule } from '../modules/metrics/metrics.module';

/** The slice of the application the command-line tools need: config, database, metrics, audit and auth. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [...foundationModules(config), MetricsModule, AuditModule, AuthModule],
    };
  }
}
