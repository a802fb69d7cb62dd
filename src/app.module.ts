import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AuthUser } from './common/auth/auth-user';
import { FallbackThrottlerStorage } from './common/throttling/fallback-throttler-storage';
import { MemoryThrottlerStorage, MemoryThrottlerStorageModule } from './common/throttling/memory-throttler-storage';
import { ErrorsPageController } from './common/errors/errors-page.controller';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { createValidationPipe } from './common/http/validation';
import { AppThrottlerGuard } from './common/throttling/app-throttler.guard';
import { AppCacheModule } from './cache/app-cache.module';
import { AppConfig } from './config/app-config';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { InsightsModule } from './modules/insights/insights.module';
import { RetentionModule } from './modules/retention/retention.module';
import { ConsentModule } from './modules/consent/consent.module';
import { CryptoModule } from './modules/crypto/crypto.module';
import { JwtAuthGuard } from './modules/auth/jwt-auth.guard';
import { RolesGuard } from './modules/auth/roles.guard';
import { HealthModule } from './modules/health/health.module';
import { LearningModule } from './modules/learning/learning.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { PatternsModule } from './modules/patterns/patterns.module';
import { DisclosureModule } from './modules/disclosure/disclosure.module';
import { foundationModules } from './foundation';
import { REDIS_CLIENT, type RedisClient } from './redis/redis.module';

/**
 * Rate limits per caller: the verified token's `sub`, else the client address. Shared through Redis when set;
 * otherwise, and while Redis is unreachable, kept in this process by `MemoryThrottlerStorage`.
 */
function throttlerModule() {
  return ThrottlerModule.forRootAsync({
    imports: [MemoryThrottlerStorageModule],
    inject: [AppConfig, REDIS_CLIENT, MemoryThrottlerStorage],
    useFactory: (config: AppConfig, redis: RedisClient, memory: MemoryThrottlerStorage) => ({
      throttlers: [{ name: 'default', limit: config.throttle.limit, ttl: config.throttle.ttlSeconds * 1000 }],
      storage: redis
        ? new FallbackThrottlerStorage(new ThrottlerStorageRedisService(redis), memory, () => redis.status === 'ready')
        : memory,
      getTracker: (req: Record<string, unknown>) => {
        const user = req.user as AuthUser | undefined;
        return user?.sub ? `sub:${user.sub}` : `ip:${String(req.ip)}`;
      },
      errorMessage: 'Too many requests; retry after the time in Retry-After',
    }),
  });
}

@Module({})
export class AppModule {
  /** The whole application for one validated configuration (main.ts and the e2e tests build it the same way). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...foundationModules(config),
        AppCacheModule,
        EventEmitterModule.forRoot(),
        throttlerModule(),
        MetricsModule,
        AuditModule,
        AuthModule,
        CryptoModule,
        ConsentModule,
        LearningModule,
        DisclosureModule,
        PatternsModule,
        InsightsModule,
        RetentionModule,
        HealthModule,
      ],
      controllers: [ErrorsPageController],
      providers: [
        // Guards run in this order: who is calling, how often, and may they.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: AppThrottlerGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
