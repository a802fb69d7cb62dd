import { isAdmin, type AuthUser } from '../../common/auth/auth-user';
import { Body, Controller, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { PublishedItem, PublishedList, ReadRoute } from '../../common/http/published-routes';
import { StartsRun } from '../../common/http/starts-run';
import { uuidParam } from '../../common/http/uuid-param';
import {
  MiningRunListDto,
  MiningStartedDto,
  PatternDto,
  PatternListDto,
  PatternQueryDto,
  PredictDto,
  PredictionListDto,
  RunQueryDto,
} from './dto/pattern.dto';
import { MiningService } from './mining.service';
import { PatternsReadService } from './patterns-read.service';
import { PredictionService } from './prediction.service';

const uuid = uuidParam('id');

@ApiTags('patterns')
@ApiBearerAuth()
@Controller('patterns')
export class PatternsController {
  constructor(
    private readonly reader: PatternsReadService,
    private readonly mining: MiningService,
    private readonly prediction: PredictionService,
  ) {}

  @PublishedList(
    'Published patterns (each supported by at least MIN_USER_SUPPORT distinct users), filtered and paged; retired ones: admins only',
    PatternListDto,
  )
  list(@Query() query: PatternQueryDto, @CurrentUser() user: AuthUser): Promise<string> {
    return this.reader.listJson(query, isAdmin(user));
  }

  @ReadRoute('runs', 'admin', 'Mining runs, newest first (admin)', MiningRunListDto)
  runs(@Query() query: RunQueryDto): Promise<MiningRunListDto> {
    return this.reader.listRuns(query.limit, query.cursor);
  }

  @PublishedItem('One pattern (a retired one: admins only)', PatternDto)
  get(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser): Promise<PatternDto> {
    return this.reader.get(id, isAdmin(user));
  }

  @Post('mine')
  @Roles('admin')
  @StartsRun('Start a mining run now (admin)', MiningStartedDto, 'PATTERNS.RUN_IN_PROGRESS')
  mine(@CurrentUser() user: AuthUser): Promise<MiningStartedDto> {
    return this.mining.request(user.sub);
  }

  @Post('predict')
  @HttpCode(HttpStatus.OK)
  @Roles('user', 'service')
  @ApiOperation({ summary: 'The likeliest next actions after the recent ones, from the published sequence patterns' })
  @ApiOkResponse({ type: PredictionListDto })
  async predict(@Body() body: PredictDto): Promise<PredictionListDto> {
    return { predictions: await this.prediction.predict(body.module, body.recentActions, body.limit) };
  }
}
