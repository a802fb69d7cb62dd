import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../../common/decorators/auth.decorators';
import { AppConfig } from '../../config/app-config';
import { MetricsTokenRequiredError } from './metrics.errors';
import { MetricsService } from '../../observability/metrics.service';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus scrape endpoint, outside the API prefix; protected by METRICS_TOKEN when it is set. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const token = this.config.metrics.token;
    if (token && !sameSecret(authorization ?? '', `Bearer ${token}`)) throw new MetricsTokenRequiredError();
    reply.header('content-type', this.metrics.contentType);
    reply.header('cache-control', 'no-store');
    return this.metrics.render();
  }
}
