import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPES } from '../entities/learning-event.entity';

export class EventAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'The stored event’s id (the first one’s for a duplicate)' }) id: string;
  @ApiProperty({ enum: ['accepted', 'duplicate'] }) status: 'accepted' | 'duplicate';
}

export class ItemErrorDto {
  @ApiProperty({ example: 'VALIDATION.FAILED' }) code: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty() detail: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
  })
  errors?: { field: string; message: string }[];
  @ApiPropertyOptional({
    description:
      'For LEARNING.QUOTA_EXCEEDED (429): seconds until the user’s quota window ends (also sent as Retry-After)',
  })
  retryAfterSeconds?: number;
}

export class BatchItemResultDto {
  @ApiProperty() index: number;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'] }) status: string;
  @ApiPropertyOptional({ format: 'uuid' }) id?: string;
  @ApiPropertyOptional({ type: ItemErrorDto }) error?: ItemErrorDto;
}

export class BatchResultDto {
  @ApiProperty({ type: [BatchItemResultDto] }) results: BatchItemResultDto[];
  @ApiProperty() accepted: number;
  @ApiProperty() duplicates: number;
  @ApiProperty() rejected: number;
}

export class EventViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: EVENT_TYPES }) eventType: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) context: Record<string, string>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Decrypted; null only while the user is being erased',
  })
  data: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ nullable: true, type: String }) clientEventId: string | null;
}

export class EventListDto {
  @ApiProperty({ type: [EventViewDto] }) items: EventViewDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
