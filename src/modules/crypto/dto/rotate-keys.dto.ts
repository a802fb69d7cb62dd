import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, ValidateIf } from 'class-validator';

export class RotateKeysDto {
  @ApiPropertyOptional({
    description:
      'The key you expect to rotate to; refused with 409 when it is not the current key of the instance that answers',
    pattern: '^[A-Za-z0-9_.-]{1,32}$',
  })
  // Absent means "whichever is current"; null is not absent (@IsOptional would let it through as no target).
  @ValidateIf((dto: RotateKeysDto) => dto.targetKeyId !== undefined)
  @IsString({ message: 'targetKeyId must be a string' })
  @Matches(/^[A-Za-z0-9_.-]{1,32}$/, { message: 'targetKeyId must be 1-32 characters of A-Z a-z 0-9 _ . -' })
  targetKeyId?: string;
}
