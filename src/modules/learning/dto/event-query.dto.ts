import { CursorField, InstantField, LimitField } from '../../../common/http/query-fields';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
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

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES, { message: `eventType must be one of ${EVENT_TYPES.join(', ')}` })
  eventType?: EventType;

  @ApiPropertyOptional({ pattern: EVENT_LIMITS.namePattern.source })
  @IsOptional()
  @IsString()
  @Matches(EVENT_LIMITS.namePattern, { message: 'module must match ^[a-z0-9][a-z0-9_.-]{0,63}$' })
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
