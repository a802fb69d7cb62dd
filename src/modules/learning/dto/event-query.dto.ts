import { SafeText } from '../../../common/text/safe-text';
import { StorableDate } from '../../../common/http/date-bounds';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
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

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Events that happened at or after this instant',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date-time' })
  @StorableDate('from')
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Events that happened before this instant' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO-8601 date-time' })
  @StorableDate('to')
  to?: Date;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page', maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @SafeText()
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(500)
  limit: number = 50;
}
