import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { SafeText } from '../text/safe-text';

/** Keyset paging of a list: the opaque cursor of the previous page and a page size of 1-100. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page', maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @SafeText()
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit: number = 20;
}
