import { StorableDate } from '../../../common/http/date-bounds';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { SafeText } from '../../../common/text/safe-text';
import { IsDate, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Exact action, e.g. auth.token.failed', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[a-z0-9_.-]+$/, { message: 'action must be lowercase letters, digits, _ . -' })
  action?: string;

  @ApiPropertyOptional({ description: 'Exact actor (user uuid, client id or system)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @SafeText()
  actor?: string;

  @ApiPropertyOptional({
    description: 'Entries at or after this instant (ISO-8601)',
    type: String,
    format: 'date-time',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date-time' })
  @StorableDate('from')
  from?: Date;

  @ApiPropertyOptional({ description: 'Entries before this instant (ISO-8601)', type: String, format: 'date-time' })
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

  @ApiPropertyOptional({ description: 'Page size', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;
}
