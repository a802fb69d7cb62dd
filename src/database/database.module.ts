import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Global, Module } from '@nestjs/common';
import { ClusterScheduler } from './scheduling/cluster-scheduler';
import { AppConfig } from '../config/app-config';
import { AdvisoryLockService } from './advisory-lock.service';
import { DatabaseBootstrapService } from './database-bootstrap.service';
import { buildOrmOptions } from './orm-options';
import { ReplicaRouter } from './replica-router';
import { SqlPool } from './sql-pool.service';

@Global()
@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        if (!config.database.url)
          throw new Error('No database URL: main.ts resolves one (embedded or DATABASE_URL) before the app is created');
        return {
          ...buildOrmOptions({
            url: config.database.url,
            replicaUrl: config.database.replicaUrl,
            poolMax: config.database.poolMax,
          }),
          // Every service forks its own EntityManager (or uses SqlPool), so no per-request context middleware.
          registerRequestContext: false,
          // Each module registers its own entities (`forFeature`); this module names none of them.
          autoLoadEntities: true,
        };
      },
      driver: PostgreSqlDriver,
    }),
  ],
  providers: [DatabaseBootstrapService, AdvisoryLockService, SqlPool, ClusterScheduler, ReplicaRouter],
  exports: [AdvisoryLockService, SqlPool, ClusterScheduler, ReplicaRouter],
})
export class DatabaseModule {}
