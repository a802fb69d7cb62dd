import { CursorField, InstantField, LimitField, NameField, OneOfField } from '../../../common/http/query-fields';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { EVENT_TYPES, type EventType } from '../entities/learning-event.entity';
import { EVENT_LIMITS } from '../learning-event.limits';

export class EventQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Admins: whose events (default everyone’s). Users: only their own id.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a uuid' })
  userId?: string;

  @OneOfField('eventType', EVENT_TYPES)
  eventType?: EventType;

  @NameField('module', EVENT_LIMITS.namePattern)
  module?: string;

  @InstantField('from', 'Events that happened at or after this instant')
  from?: Date;

  @InstantField('to', 'Events that happened before this instant')
  to?: Date;

  @CursorField()
  cursor?: string;

  @LimitField(500, 50)
  limit: number = 50;
}
