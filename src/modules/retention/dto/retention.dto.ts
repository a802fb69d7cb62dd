import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { SafeText } from '../../../common/text/safe-text';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';

export class RetentionRunRequestDto {
  @ApiPropertyOptional({ default: false, description: 'Count what would be purged, touching nothing' })
  // Not @IsOptional(): that lets null through, which replaced the default and hit the NOT NULL column (a 500).
  @ValidateIf((dto: RetentionRunRequestDto) => dto.dryRun !== undefined)
  @IsBoolean({ message: 'dryRun must be a boolean' })
  dryRun: boolean = false;
}

export class RetentionStartedDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ enum: ['running'] }) status!: 'running';
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
