import { Global, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DatabaseMetrics } from './database-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from '../../observability/metrics.service';
import { PerformanceMonitor } from './performance-monitor';
import { SecurityMonitor } from './security-monitor';

/**
 * Prometheus metrics: the registry every module writes to, `GET /metrics`, the database and security figures, and
 * the performance monitor GET /health reports. HTTP metrics are hooked into Fastify by `configureApp`.
 */
@Global()
@Module({
  imports: [AuditModule],
  controllers: [MetricsController],
  providers: [MetricsService, DatabaseMetrics, SecurityMonitor, PerformanceMonitor],
  exports: [MetricsService, SecurityMonitor, PerformanceMonitor],
})
export class MetricsModule {}
