import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsUUID, Matches } from 'class-validator';
import type { ConsentState } from '../consent-ledger.service';

export class UpdateConsentDto {
  @ApiProperty({ description: 'Whether the user allows their events to be used for collective learning' })
  @IsDefined()
  @IsBoolean()
  allowCollectiveLearning: boolean;

  @ApiProperty({
    description: 'The privacy policy version the answer refers to',
    pattern: '^[A-Za-z0-9._-]{1,32}$',
    example: '2026-11',
  })
  @IsDefined()
  @Matches(/^[A-Za-z0-9._-]{1,32}$/, { message: 'policyVersion must be 1-32 characters of A-Z a-z 0-9 . _ -' })
  policyVersion: string;
}

export class UserIdParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'userId must be a uuid' })
  userId: string;
}

export class ConsentResponseDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ description: 'false until the user consents' }) allowCollectiveLearning: boolean;
  @ApiProperty({ nullable: true, type: String }) policyVersion: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) updatedAt: string | null;
}

export function toConsentResponse(s: ConsentState): ConsentResponseDto {
  return {
    userId: s.userId,
    allowCollectiveLearning: s.allowCollectiveLearning,
    policyVersion: s.policyVersion,
    updatedAt: s.updatedAt?.toISOString() ?? null,
  };
}
