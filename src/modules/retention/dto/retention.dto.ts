import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { SafeText } from '../../../common/text/safe-text';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';
import { RunDto, RunStartedDto } from '../../../common/runs/run.dto';

export class RetentionRunRequestDto {
  @ApiPropertyOptional({ default: false, description: 'Count what would be purged, touching nothing' })
  // Not @IsOptional(): that lets null through, which replaced the default and hit the NOT NULL column (a 500).
  @ValidateIf((dto: RetentionRunRequestDto) => dto.dryRun !== undefined)
  @IsBoolean({ message: 'dryRun must be a boolean' })
  dryRun: boolean = false;
}

export class RetentionStartedDto extends RunStartedDto {
  @ApiProperty() dryRun!: boolean;
}

export class LegalHoldRequestDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 500,
    description: 'Why the data must be kept (e.g. a case reference); audited',
  })
  @IsString({ message: 'reason must be a string' })
  @MinLength(1, { message: 'reason must not be empty' })
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  @SafeText()
  reason!: string;
}

export class RetentionRunQueryDto extends PageQueryDto {}

const COUNTS = { type: 'object', additionalProperties: { type: 'number' } } as const;

export class RetentionPolicyDto {
  @ApiProperty({ example: 'learning_events' }) dataClass!: string;
  @ApiProperty() table!: string;
  @ApiProperty() retentionDays!: number;
  @ApiProperty({ format: 'date-time', description: 'What a purge now would remove: older than this' }) cutoff!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'Whether a legal hold keeps a held user’s rows of this class' }) legalHold!: boolean;
}

export class RetentionPolicyListDto {
  @ApiProperty({ type: [RetentionPolicyDto] }) items!: RetentionPolicyDto[];
}

export class RetentionRunDto extends RunDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', format: 'date-time' },
    description: 'Per data class',
  })
  cutoffs!: Record<string, string>;
  @ApiProperty({ ...COUNTS, description: 'Per data class: rows purged (or, in a dry run, that would be)' })
  counts!: Record<string, number>;
}

export class RetentionRunListDto {
  @ApiProperty({ type: [RetentionRunDto] }) items!: RetentionRunDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class LegalHoldDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() placedBy!: string;
  @ApiProperty({ format: 'date-time' }) placedAt!: string;
}

export class LegalHoldListDto {
  @ApiProperty({ type: [LegalHoldDto] }) items!: LegalHoldDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
