import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPES } from '../entities/learning-event.entity';
import { EVENT_LIMITS as L, OUTCOMES, SENTIMENTS } from '../learning-event.limits';

// Request schemas for the OpenAPI document. The bodies are checked by `validateEvent` (one hand-written
// validator for the single and the batch route); these classes state the same bounds to clients.

export class EventContextDto {
  @ApiProperty({ pattern: L.namePattern.source, example: 'editor', description: 'The client module' })
  module: string;

  @ApiProperty({ pattern: L.namePattern.source, example: 'apply_suggestion' })
  action: string;

  @ApiPropertyOptional({
    pattern: L.sessionIdPattern.source,
    description: 'Groups the events of one session (sequence mining)',
  })
  sessionId?: string;
}

export class LearningEventDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The user the event is about. Services name it; a user token may only name itself or omit it.',
  })
  userId?: string;

  @ApiProperty({ enum: EVENT_TYPES })
  eventType: string;

  @ApiProperty({
    type: EventContextDto,
    description: `module, action, sessionId, and up to ${L.maxLabels} more string labels (names ${L.labelKeyPattern.source}, values at most ${L.maxLabelLength} characters). Labels are stored in clear: no personal data in them.`,
  })
  context: EventContextDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      `Encrypted at rest; at most ${L.maxDataBytes} bytes of JSON and ${L.maxDataDepth} levels deep. ` +
      `feedback: { rating: 1-5 | sentiment: ${SENTIMENTS.join('|')}, comment? (≤ ${L.maxCommentLength}) }; ` +
      `correction: { original, corrected (each 1-${L.maxCorrectionLength} characters, different), field? (≤ ${L.maxFieldNameLength}) }; ` +
      `pattern_discovery: { patternType (${L.namePattern.source}), signature (≤ ${L.maxSignatureLength}), items (1-${L.maxPatternItems} strings ≤ ${L.maxPatternItemLength}) }; ` +
      `interaction: { outcome?: ${OUTCOMES.join('|')}, durationMs? (0-${L.maxDurationMs}), … }`,
  })
  data: Record<string, unknown>;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When it happened (ISO-8601 with zone); default now. At most 5 minutes ahead, not older than DATA_RETENTION_DAYS (422).',
  })
  timestamp?: string;

  @ApiPropertyOptional({
    maxLength: 128,
    pattern: L.clientEventIdPattern.source,
    description: 'Idempotency key per user: a repeat is answered as a duplicate, never stored twice',
  })
  clientEventId?: string;
}

export class LearningBatchDto {
  @ApiProperty({
    type: [LearningEventDto],
    minItems: 1,
    description: 'At most LEARNING_BATCH_MAX_EVENTS (default 1000) events and LEARNING_BATCH_BODY_LIMIT_BYTES of JSON',
  })
  events: LearningEventDto[];
}

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
