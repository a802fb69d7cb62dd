import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsDefined, IsOptional, IsUUID } from 'class-validator';
import { StorableDate } from '../../../common/http/date-bounds';
import { NameField } from '../../../common/http/query-fields';
import { EVENT_LIMITS } from '../learning-event.limits';

/** A required ISO-8601 instant PostgreSQL can store, named `field` in errors. */
const RequiredInstant = (field: string, description: string) => (target: object, key: string) => {
  ApiProperty({ type: String, format: 'date-time', description })(target, key);
  IsDefined({ message: `${field} is required` })(target, key);
  Type(() => Date)(target, key);
  IsDate({ message: `${field} must be an ISO-8601 date-time` })(target, key);
  StorableDate(field)(target, key);
};

export class EventDeletionQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Admins: whose events (required). Users: only their own id.' })
  @IsOptional()
  @IsUUID('all', { message: 'userId must be a uuid' })
  userId?: string;

  @RequiredInstant('from', 'Events that happened at or after this instant')
  from!: Date;

  @RequiredInstant('to', 'Events that happened before this instant')
  to!: Date;

  @NameField('module', EVENT_LIMITS.namePattern)
  module?: string;
}

export class EventsDeletedDto {
  @ApiProperty({ description: 'How many events were deleted' }) deleted!: number;
}
