import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { StartsRun } from '../../common/http/starts-run';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { uuidParam } from '../../common/http/uuid-param';
import {
  LegalHoldDto,
  LegalHoldListDto,
  LegalHoldRequestDto,
  RetentionPolicyListDto,
  RetentionRunListDto,
  RetentionRunQueryDto,
  RetentionRunRequestDto,
  RetentionStartedDto,
} from './dto/retention.dto';
import { LegalHoldsService } from './legal-holds.service';
import { RetentionService } from './retention.service';

const userIdPipe = uuidParam('userId');

@ApiTags('retention')
@ApiBearerAuth()
@Roles('admin')
@Controller('retention')
export class RetentionController {
  constructor(
    private readonly retention: RetentionService,
    private readonly holds: LegalHoldsService,
  ) {}

  @Get('policies')
  @ApiOperation({ summary: 'The retention policy of every data class, with the cutoff a purge would use now (admin)' })
  @ApiOkResponse({ type: RetentionPolicyListDto })
  policies(): RetentionPolicyListDto {
    return { items: this.retention.policyViews() };
  }

  @Post('run')
  @StartsRun('Start a purge, or a dry run that only counts (admin)', RetentionStartedDto, 'RETENTION.RUN_IN_PROGRESS')
  run(@Body() body: RetentionRunRequestDto, @CurrentUser() user: AuthUser): Promise<RetentionStartedDto> {
    return this.retention.request(body.dryRun, user.sub);
  }

  @Get('runs')
  @ApiOperation({ summary: 'Purges and dry runs, newest first (admin)' })
  @ApiOkResponse({ type: RetentionRunListDto })
  listRuns(@Query() query: RetentionRunQueryDto): Promise<RetentionRunListDto> {
    return this.retention.listRuns(query.limit, query.cursor);
  }

  @Get('holds')
  @ApiOperation({ summary: 'Legal holds, by user id (admin)' })
  @ApiOkResponse({ type: LegalHoldListDto })
  listHolds(@Query() query: RetentionRunQueryDto): Promise<LegalHoldListDto> {
    return this.holds.list(query.limit, query.cursor);
  }

  @Put('holds/:userId')
  @ApiOperation({
    summary: 'Place (or update) a legal hold on a user: retention keeps their data and erasure is refused (admin)',
  })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiOkResponse({ type: LegalHoldDto })
  placeHold(
    @Param('userId', userIdPipe) userId: string,
    @Body() body: LegalHoldRequestDto,
    @CurrentUser() user: AuthUser,
  ): Promise<LegalHoldDto> {
    return this.holds.place(userId.toLowerCase(), body.reason, user.sub);
  }

  @Delete('holds/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Lift a legal hold (admin); 404 when there is none' })
  @ApiParam({ name: 'userId', format: 'uuid' })
  liftHold(@Param('userId', userIdPipe) userId: string, @CurrentUser() user: AuthUser): Promise<void> {
    return this.holds.lift(userId.toLowerCase(), user.sub);
  }
}
