import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { isAdmin, type AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { JsonText } from '../../common/http/json-text';
import { uuidParam } from '../../common/http/uuid-param';
import {
  GenerationStartedDto,
  InsightDetailDto,
  InsightListDto,
  InsightQueryDto,
  InsightRunQueryDto,
} from './dto/insight.dto';
import { GenerationService } from './generation.service';
import { GenerationInProgressError } from './insights.errors';
import { InsightsReadService } from './insights-read.service';

const uuid = uuidParam('id');

@ApiTags('insights')
@ApiBearerAuth()
@Controller('insights')
export class InsightsController {
  constructor(
    private readonly reader: InsightsReadService,
    private readonly generation: GenerationService,
  ) {}

  @Get()
  @Roles('user', 'service')
  @ApiOperation({
    summary: 'Published insights (every count backed by at least MIN_USER_SUPPORT users), most significant first',
  })
  @ApiOkResponse({ type: InsightListDto })
  @JsonText()
  list(@Query() query: InsightQueryDto, @CurrentUser() user: AuthUser): Promise<string> {
    return this.reader.listJson(query, isAdmin(user));
  }

  @Get('runs')
  @Roles('admin')
  @ApiOperation({ summary: 'Insight generation runs, newest first (admin)' })
  runs(@Query() query: InsightRunQueryDto) {
    return this.reader.listRuns(query.limit, query.cursor);
  }

  @Get(':id')
  @Roles('user', 'service')
  @ApiOperation({ summary: 'One insight with its evidence patterns (withdrawn or expired ones: admins only)' })
  @ApiOkResponse({ type: InsightDetailDto })
  @ApiParam({ name: 'id', format: 'uuid' })
  get(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser) {
    return this.reader.get(id, isAdmin(user));
  }

  @Post('generate')
  @Roles('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Generate insights now (admin): 202 with the run id; 409 while one runs on any instance' })
  @ApiAcceptedResponse({ type: GenerationStartedDto })
  @ApiConflictResponse({ description: 'INSIGHTS.RUN_IN_PROGRESS, with the running run’s id in runId' })
  async generate(@CurrentUser() user: AuthUser): Promise<GenerationStartedDto> {
    const result = await this.generation.start('manual', user.sub);
    if (!result.started) throw new GenerationInProgressError(result.runningId);
    return { runId: result.runId, status: 'running' };
  }
}
