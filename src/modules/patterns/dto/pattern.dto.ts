import { AnalyticsRunDto, RunStartedDto } from '../../../common/runs/run.dto';
import { InstantField, MODULE_NAME, NameField, OneOfField, TYPE_NAME } from '../../../common/http/query-fields';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import { PureQueryValidation } from '../../../common/http/memoizing-validation.pipe';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { PATTERN_STATUSES, type PatternStatus } from '../entities/global-pattern.entity';

export const PREDICT_LIMITS = { maxRecentActions: 20, maxPredictions: 20 } as const;

@PureQueryValidation()
export class PatternQueryDto extends PageQueryDto {
  @NameField(
    'type',
    TYPE_NAME,
    'Pattern type (sequence, correction, feedback, co_occurrence, reported, or a type an extra miner publishes)',
  )
  type?: string;

  @NameField('module', MODULE_NAME)
  module?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1_000_000_000,
    description: 'Only patterns at least this many distinct users support',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'minSupport must be an integer' })
  @Min(1)
  @Max(1_000_000_000)
  minSupport?: number;

  @InstantField('since', 'Only patterns a run found at or after this instant (last seen)')
  since?: Date;

  @OneOfField('status', PATTERN_STATUSES, {
    default: 'active',
    description: 'retired: patterns whose support fell below the threshold (admins only)',
  })
  status: PatternStatus = 'active';

  @ApiPropertyOptional({
    enum: ['support', 'recent'],
    default: 'support',
    description: 'support: most supported first; recent: most recently seen first',
  })
  @IsOptional()
  @IsIn(['support', 'recent'], { message: 'sort must be support or recent' })
  sort: 'support' | 'recent' = 'support';
}

export class PatternDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() module!: string;
  @ApiProperty({
    description: 'Identity within type and module (actions joined by > for sequences, a blind index for corrections)',
  })
  signature!: string;
  @ApiProperty({
    description: 'What the pattern is: actions, the normalized correction, the action rated, …',
    type: 'object',
    additionalProperties: true,
  })
  items!: Record<string, unknown>;
  @ApiProperty({ description: 'Distinct users supporting it in the last run' }) support!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Its events (each user counted at most MINING_MAX_OCCURRENCES_PER_USER times); null when withheld',
  })
  occurrences!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Null when withheld with its counts' })
  confidence!: number | null;
  @ApiProperty({ nullable: true, type: Number }) lift!: number | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: { type: 'number' } }) stats!: Record<
    string,
    number
  > | null;
  @ApiProperty({ format: 'date-time' }) firstSeen!: string;
  @ApiProperty({ format: 'date-time' }) lastSeen!: string;
  @ApiProperty({ enum: PATTERN_STATUSES }) status!: PatternStatus;
  @ApiProperty({ format: 'uuid' }) runId!: string;
}

export class PatternListDto {
  @ApiProperty({ type: [PatternDto] }) items!: PatternDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class PredictDto {
  @ApiProperty({ pattern: MODULE_NAME.source })
  @IsString()
  @Matches(MODULE_NAME, { message: `module must match ${MODULE_NAME.source}` })
  module!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: MODULE_NAME.source },
    minItems: 1,
    maxItems: PREDICT_LIMITS.maxRecentActions,
    description: 'The latest actions, oldest first',
  })
  @IsArray({ message: 'recentActions must be an array of action names' })
  @ArrayMinSize(1, { message: 'recentActions needs at least one action' })
  @ArrayMaxSize(PREDICT_LIMITS.maxRecentActions, {
    message: `recentActions holds at most ${PREDICT_LIMITS.maxRecentActions} actions`,
  })
  @Matches(MODULE_NAME, { each: true, message: `each of recentActions must match ${MODULE_NAME.source}` })
  recentActions!: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: PREDICT_LIMITS.maxPredictions, default: 5 })
  // Not @IsOptional(): that lets null through, which replaced the default and answered no predictions at all.
  @ValidateIf((dto: PredictDto) => dto.limit !== undefined)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(PREDICT_LIMITS.maxPredictions)
  limit: number = 5;
}

export class PredictionDto {
  @ApiProperty() action!: string;
  @ApiProperty({ description: 'P(action next | context) among the sequences users were seen to follow' })
  confidence!: number;
  @ApiProperty({ description: 'Distinct users who did context then action' }) support!: number;
  @ApiProperty({
    type: [String],
    description: 'The recent actions this prediction is based on (shorter after back-off)',
  })
  context!: string[];
}

export class PredictionListDto {
  @ApiProperty({ type: [PredictionDto] }) predictions!: PredictionDto[];
}

export class MiningStartedDto extends RunStartedDto {}

export class RunQueryDto extends PageQueryDto {}

export class MinerReportDto {
  @ApiProperty() miner!: string;
  @ApiProperty() patternType!: string;
  @ApiProperty() published!: number;
  @ApiProperty() retired!: number;
  @ApiProperty() durationMs!: number;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({
    description: 'Patterns the run refused to publish (under k users, malformed, or unacceptable text)',
  })
  refused?: number;
  @ApiPropertyOptional({
    description:
      'Patterns published with figures withheld by the publication gate (they would have shown a small cell)',
  })
  withheld?: number;
  @ApiPropertyOptional({
    description:
      'True when the miner failed: `retired` then counts its patterns last counted before a withdrawal or erasure',
  })
  retiredUnverified?: boolean;
}

export class MiningRunDto extends AnalyticsRunDto {
  @ApiProperty({ format: 'date-time' }) windowFrom!: string;
  @ApiProperty({ format: 'date-time' }) windowTo!: string;
  @ApiProperty() minUserSupport!: number;
  @ApiProperty({ type: [MinerReportDto] }) miners!: MinerReportDto[];
}

export class MiningRunListDto {
  @ApiProperty({ type: [MiningRunDto] }) items!: MiningRunDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
