import { AnalyticsRunDto, RunStartedDto } from '../../../common/runs/run.dto';
import { InstantField, MODULE_NAME, NameField, OneOfField, TYPE_NAME } from '../../../common/http/query-fields';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { PureQueryValidation } from '../../../common/http/memoizing-validation.pipe';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import { PatternDto } from '../../patterns/dto/pattern.dto';
import { INSIGHT_STATUSES, type InsightStatus } from '../entities/collective-insight.entity';

@PureQueryValidation()
export class InsightQueryDto extends PageQueryDto {
  @NameField(
    'type',
    TYPE_NAME,
    'Insight type (trend, anomaly, friction, recommendation, summary, or a type an extra generator publishes)',
  )
  type?: string;

  @NameField('module', MODULE_NAME)
  module?: string;

  @InstantField('since', 'Only insights generated (or regenerated) at or after this instant')
  since?: Date;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Only insights at least this significant (1 − p-value)' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'minSignificance must be a number' })
  @Min(0)
  @Max(1)
  minSignificance?: number;

  @OneOfField('status', INSIGHT_STATUSES, {
    default: 'active',
    description: 'withdrawn: insights a later generation no longer found (admins only)',
  })
  status: InsightStatus = 'active';
}

export class InsightEvidenceDto {
  @ApiProperty({ type: [String], description: 'Ids of the patterns it was drawn from' }) patternIds!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'The aggregate figures it compares (distinct-user counts)',
  })
  aggregate!: Record<string, number>;
}

export class InsightDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() module!: string;
  @ApiProperty({ description: 'Identity within type and module' }) key!: string;
  @ApiProperty() title!: string;
  @ApiProperty() metric!: string;
  @ApiProperty() value!: number;
  @ApiProperty({ nullable: true, type: Number }) baseline!: number | null;
  @ApiProperty({ nullable: true, type: Number }) change!: number | null;
  @ApiProperty({ description: '1 − p-value of its test (1 for descriptive insights)' }) significance!: number;
  @ApiProperty({ description: 'Distinct users behind its smallest published count' }) support!: number;
  @ApiProperty({ format: 'date-time' }) periodFrom!: string;
  @ApiProperty({ format: 'date-time' }) periodTo!: string;
  @ApiProperty({ type: InsightEvidenceDto }) evidence!: InsightEvidenceDto;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: { type: 'number' } }) stats!: Record<
    string,
    number
  > | null;
  @ApiProperty({ description: 'Whether its counts carry differential-privacy noise (INSIGHTS_DP_EPSILON)' })
  noised!: boolean;
  @ApiProperty({ enum: INSIGHT_STATUSES }) status!: InsightStatus;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ format: 'uuid' }) runId!: string;
}

export class InsightDetailDto extends InsightDto {
  @ApiProperty({ type: [PatternDto], description: 'The evidence patterns that are still published' })
  patterns!: PatternDto[];
}

export class InsightListDto {
  @ApiProperty({ type: [InsightDto] }) items!: InsightDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class GenerationStartedDto extends RunStartedDto {}

export class InsightRunQueryDto extends PageQueryDto {}

export class GeneratorReportDto {
  @ApiProperty() generator!: string;
  @ApiProperty() insightType!: string;
  @ApiProperty() published!: number;
  @ApiProperty() withdrawn!: number;
  @ApiProperty() durationMs!: number;
  @ApiPropertyOptional() error?: string;
}

export class InsightRunDto extends AnalyticsRunDto {
  @ApiProperty({ format: 'date-time' }) periodFrom!: string;
  @ApiProperty({ format: 'date-time' }) periodTo!: string;
  @ApiProperty({ type: [GeneratorReportDto] }) generators!: GeneratorReportDto[];
}

export class InsightRunListDto {
  @ApiProperty({ type: [InsightRunDto] }) items!: InsightRunDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
