import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../../common/decorators/auth.decorators';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency is checked)' })
  @ApiOkResponse({
    description: 'The process answers',
    schema: {
      type: 'object',
      required: ['status', 'uptimeSeconds'],
      properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' } },
    },
  })
  live() {
    return this.health.live();
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: database, heap and disk (Redis is not a condition: without it the instance serves from memory)',
  })
  @ApiOkResponse({
    description: 'Terminus result: every check and its state',
    schema: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        info: { type: 'object', additionalProperties: true },
        error: { type: 'object', additionalProperties: true },
        details: { type: 'object', additionalProperties: true },
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'problem+json HEALTH.NOT_READY with the failed checks in `checks`' })
  ready() {
    return this.health.ready();
  }

  @Get()
  @ApiOperation({
    summary:
      'Detailed health: verdict (healthy, degraded, unhealthy) with reasons, dependencies, performance figures over MONITOR_WINDOW_SECONDS, system, uptime',
  })
  @ApiOkResponse({
    description: 'The report, status healthy or degraded',
    schema: {
      type: 'object',
      required: ['status', 'timestamp', 'uptimeSeconds'],
      properties: {
        status: { type: 'string', enum: ['healthy', 'degraded'] },
        reasons: { type: 'array', items: { type: 'string' } },
        timestamp: { type: 'string', format: 'date-time' },
        uptimeSeconds: { type: 'number' },
        database: { type: 'object', additionalProperties: true },
        redis: { type: 'object', additionalProperties: true },
        replica: { type: 'object', additionalProperties: true },
        performance: { type: 'object', additionalProperties: true },
        system: { type: 'object', additionalProperties: true },
      },
    },
  })
  @ApiServiceUnavailableResponse({
    description:
      'problem+json HEALTH.UNHEALTHY (database down, or a figure 5 times its limit) with the report in `health`',
  })
  details() {
    return this.health.details();
  }
}
