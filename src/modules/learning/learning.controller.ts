import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { AppConfig } from '../../config/app-config';
import { EventDeletionQueryDto, EventsDeletedDto } from './dto/event-deletion.dto';
import { EventQueryDto } from './dto/event-query.dto';
import { LEARNING_BATCH, LEARNING_EVENT } from './dto/learning-event.schema';
import { uuidParam } from '../../common/http/uuid-param';
import { LearningDeletionService } from './learning-deletion.service';
import { BatchResultDto, EventAcceptedDto, EventListDto } from './dto/learning-event.dto';
import { LearningIngestService } from './learning-ingest.service';
import { LearningReadService } from './learning-read.service';
import { eventsOfBatch } from './learning-event.validator';
import { ReadRoute } from '../../common/http/published-routes';

@ApiTags('learning')
@ApiBearerAuth()
@Controller('learning/events')
export class LearningController {
  constructor(
    private readonly ingest: LearningIngestService,
    private readonly reader: LearningReadService,
    private readonly deletion: LearningDeletionService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles('user', 'service')
  @ApiOperation({
    summary: 'Send one learning event (201 accepted; 200 duplicate with the first event’s id; 403 without consent)',
  })
  @ApiBody({ schema: LEARNING_EVENT })
  @ApiCreatedResponse({ type: EventAcceptedDto })
  @ApiOkResponse({ type: EventAcceptedDto, description: 'A repeated clientEventId: the first event’s id' })
  @ApiTooManyRequestsResponse({
    description:
      'The user’s events exceed the per-user quota of this window (LEARNING.QUOTA_EXCEEDED), with Retry-After',
  })
  async create(
    @Body() body: unknown,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventAcceptedDto> {
    const result = await this.ingest.ingestOne(body, user);
    reply.status(result.status === 'accepted' ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Post('batch')
  @HttpCode(HttpStatus.OK)
  @Roles('user', 'service')
  @ApiOperation({
    summary: 'Send up to LEARNING_BATCH_MAX_EVENTS events: a result per item; the accepted ones are stored atomically',
  })
  @ApiBody({ schema: LEARNING_BATCH })
  @ApiOkResponse({
    type: BatchResultDto,
    description:
      'A result per item; when an item was refused for its user’s quota (429 in the item), Retry-After is set',
  })
  async createBatch(
    @Body() body: unknown,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchResultDto> {
    const result = await this.ingest.ingestBatch(eventsOfBatch(body, this.config.learning.batchMaxEvents), user);
    const retryAfter = result.results.find((r) => r.status === 'rejected' && r.error.retryAfterSeconds !== undefined);
    if (retryAfter?.status === 'rejected') void reply.header('retry-after', String(retryAfter.error.retryAfterSeconds));
    return result;
  }

  @ReadRoute('', 'user', 'List events newest first with data decrypted: users their own, admins anyone’s', EventListDto)
  list(@Query() query: EventQueryDto, @CurrentUser() user: AuthUser): Promise<EventListDto> {
    return this.reader.list(query, user);
  }

  @Delete(':id')
  @Roles('user')
  @ApiOperation({
    summary: 'Delete one of the caller’s events (admins: anyone’s); refused under a legal hold; audited',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: EventsDeletedDto })
  deleteOne(@Param('id', uuidParam('id')) id: string, @CurrentUser() user: AuthUser): Promise<EventsDeletedDto> {
    return this.deletion.delete({ id: id.toLowerCase() }, user);
  }

  @Delete()
  @Roles('user')
  @ApiOperation({
    summary: 'Delete the caller’s events of a time range, optionally of one module (admins: a user’s); audited',
  })
  @ApiOkResponse({ type: EventsDeletedDto })
  deleteRange(@Query() query: EventDeletionQueryDto, @CurrentUser() user: AuthUser): Promise<EventsDeletedDto> {
    return this.deletion.delete(query, user);
  }
}
