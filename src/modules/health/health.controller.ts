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
  @ApiOkResponse({ description: '{ status: "ok", uptimeSeconds }' })
  live() {
    return this.health.live();
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: database, heap and disk (Redis is not a condition: without it the instance serves from memory)',
  })
  @ApiOkResponse({ description: 'Terminus result: { status: "ok", info, error, details }' })
  @ApiServiceUnavailableResponse({ description: 'problem+json HEALTH.NOT_READY with the failed checks in `checks`' })
  ready() {
    return this.health.ready();
  }

  @Get()
  @ApiOperation({
    summary:
      'Detailed health: verdict (healthy, degraded, unhealthy) with reasons, dependencies, performance figures over MONITOR_WINDOW_SECONDS, system, uptime',
  })
  @ApiOkResponse({ description: 'The report, status healthy or degraded' })
  @ApiServiceUnavailableResponse({
    description:
      'problem+json HEALTH.UNHEALTHY (database down, or a figure 5 times its limit) with the report in `health`',
  })
  details() {
    return this.health.details();
  }
}
