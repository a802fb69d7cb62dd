import { Controller, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { isAdmin, type AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { PublishedItem, PublishedList, ReadRoute } from '../../common/http/published-routes';
import { StartsRun } from '../../common/http/starts-run';
import { uuidParam } from '../../common/http/uuid-param';
import {
  GenerationStartedDto,
  InsightDetailDto,
  InsightListDto,
  InsightQueryDto,
  InsightRunListDto,
  InsightRunQueryDto,
} from './dto/insight.dto';
import { GenerationService } from './generation.service';
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

  @PublishedList(
    'Published insights (every count backed by at least MIN_USER_SUPPORT users), most significant first',
    InsightListDto,
  )
  list(@Query() query: InsightQueryDto, @CurrentUser() user: AuthUser): Promise<string> {
    return this.reader.listJson(query, isAdmin(user));
  }

  @ReadRoute('runs', 'admin', 'Insight generation runs, newest first (admin)', InsightRunListDto)
  runs(@Query() query: InsightRunQueryDto): Promise<InsightRunListDto> {
    return this.reader.listRuns(query.limit, query.cursor);
  }

  @PublishedItem('One insight with its evidence patterns (withdrawn or expired ones: admins only)', InsightDetailDto)
  get(@Param('id', uuid) id: string, @CurrentUser() user: AuthUser) {
    return this.reader.get(id, isAdmin(user));
  }

  @Post('generate')
  @Roles('admin')
  @StartsRun('Generate insights now (admin)', GenerationStartedDto, 'INSIGHTS.RUN_IN_PROGRESS')
  generate(@CurrentUser() user: AuthUser): Promise<GenerationStartedDto> {
    return this.generation.request(user.sub);
  }
}
