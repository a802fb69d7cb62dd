import { CursorField, InstantField, LimitField } from '../../../common/http/query-fields';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { SafeText } from '../../../common/text/safe-text';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

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

  @InstantField('from', 'Entries at or after this instant (ISO-8601)')
  from?: Date;

  @InstantField('to', 'Entries before this instant (ISO-8601)')
  to?: Date;

  @CursorField()
  cursor?: string;

  @LimitField(500, 50)
  limit: number = 50;
}
