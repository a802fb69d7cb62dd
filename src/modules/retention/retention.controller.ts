import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { InvalidCursorError, RequestValidationError } from '../../common/errors/domain.error';
import { isUuid } from '../../common/ids/uuid';
import { decodeCursor, encodeCursor } from '../../common/pagination/cursor';
import { AuditService } from '../audit/audit.service';
import {
  LegalHoldRequestDto,
  RetentionRunQueryDto,
  RetentionRunRequestDto,
  RetentionStartedDto,
} from './dto/retention.dto';
import { LegalHoldsRepository, type StoredHold } from './legal-holds.repository';
import { LegalHoldNotFoundError, RetentionRunInProgressError } from './retention.errors';
import { RetentionRuns, type StoredRetentionRun } from './retention-runs';
import { RetentionService } from './retention.service';

const userIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new RequestValidationError([{ field: 'userId', message: 'userId must be a uuid' }]),
});
const iso = (value: Date | string) => new Date(value).toISOString();

@ApiTags('retention')
@ApiBearerAuth()
@Roles('admin')
@Controller('retention')
export class RetentionController {
  constructor(
    private readonly retention: RetentionService,
    private readonly runs: RetentionRuns,
    private readonly holds: LegalHoldsRepository,
    private readonly audit: AuditService,
  ) {}

  @Get('policies')
  @ApiOperation({ summary: 'The retention policy of every data class, with the cutoff a purge would use now (admin)' })
  policies() {
    return {
      items: this.retention.policies().map((p) => ({
        dataClass: p.dataClass,
        table: p.table,
        retentionDays: p.retentionDays,
        cutoff: p.cutoff.toISOString(),
        description: p.description,
        legalHold: p.userColumn !== undefined,
      })),
    };
  }

  @Post('run')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Start a purge, or a dry run that only counts (admin): 202 with the run id; 409 while one runs',
  })
  @ApiAcceptedResponse({ type: RetentionStartedDto })
  @ApiConflictResponse({ description: 'RETENTION.RUN_IN_PROGRESS, with the running run’s id in runId' })
  async run(@Body() body: RetentionRunRequestDto, @CurrentUser() user: AuthUser): Promise<RetentionStartedDto> {
    const result = await this.retention.start('manual', body.dryRun, user.sub);
    if (!result.started) throw new RetentionRunInProgressError(result.runningId);
    await this.audit.record({
      actor: user.sub,
      actorType: 'admin',
      action: 'retention.run_requested',
      target: result.runId,
      outcome: 'success',
      details: { dryRun: body.dryRun },
    });
    return { runId: result.runId, status: 'running', dryRun: body.dryRun };
  }

  @Get('runs')
  @ApiOperation({ summary: 'Purges and dry runs, newest first (admin)' })
  async listRuns(@Query() query: RetentionRunQueryDto) {
    let before: string | undefined;
    if (query.cursor) {
      const position = decodeCursor<string>(query.cursor, { list: 'retention-runs' });
      if (typeof position !== 'string' || !isUuid(position)) throw new InvalidCursorError();
      before = position;
    }
    const rows = await this.runs.page(query.limit + 1, before);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toRunView),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.id, { list: 'retention-runs' }) : null,
    };
  }

  @Get('holds')
  @ApiOperation({ summary: 'Legal holds, by user id (admin)' })
  async listHolds(@Query() query: RetentionRunQueryDto) {
    let after: string | undefined;
    if (query.cursor) {
      const position = decodeCursor<string>(query.cursor, { list: 'holds' });
      if (typeof position !== 'string' || !isUuid(position)) throw new InvalidCursorError();
      after = position;
    }
    const rows = await this.holds.page(query.limit + 1, after);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toHoldView),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.user_id, { list: 'holds' }) : null,
    };
  }

  @Put('holds/:userId')
  @ApiOperation({
    summary: 'Place (or update) a legal hold on a user: retention keeps their data and erasure is refused (admin)',
  })
  @ApiParam({ name: 'userId', format: 'uuid' })
  async placeHold(
    @Param('userId', userIdPipe) rawUserId: string,
    @Body() body: LegalHoldRequestDto,
    @CurrentUser() user: AuthUser,
  ) {
    const userId = rawUserId.toLowerCase();
    const hold = await this.holds.place(userId, body.reason, user.sub);
    await this.audit.record({
      actor: user.sub,
      actorType: 'admin',
      action: 'retention.hold_placed',
      target: userId,
      outcome: 'success',
    });
    return toHoldView(hold);
  }

  @Delete('holds/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Lift a legal hold (admin); 404 when there is none' })
  @ApiParam({ name: 'userId', format: 'uuid' })
  async liftHold(@Param('userId', userIdPipe) rawUserId: string, @CurrentUser() user: AuthUser): Promise<void> {
    const userId = rawUserId.toLowerCase();
    if (!(await this.holds.lift(userId))) throw new LegalHoldNotFoundError();
    await this.audit.record({
      actor: user.sub,
      actorType: 'admin',
      action: 'retention.hold_lifted',
      target: userId,
      outcome: 'success',
    });
  }
}

function toRunView(row: StoredRetentionRun) {
  return {
    id: row.id,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    dryRun: row.dry_run,
    cutoffs: row.cutoffs,
    counts: row.counts ?? {},
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    durationMs: row.duration_ms,
    status: row.status,
    error: row.error,
  };
}

const toHoldView = (row: StoredHold) => ({
  userId: row.user_id,
  reason: row.reason,
  placedBy: row.placed_by,
  placedAt: iso(row.placed_at),
});
