import { ApiProperty } from '@nestjs/swagger';
import type { KeyRotation } from '../entities/key-rotation.entity';
import type { CryptoStatus } from '../key-status.service';

export class KekUsageDto {
  @ApiProperty({ description: 'Key-encryption key id' }) id: string;
  @ApiProperty({ description: 'Whether this instance has the key in ENCRYPTION_KEY(S)' }) configured: boolean;
  @ApiProperty({ description: 'Whether new data keys are wrapped by it' }) current: boolean;
  @ApiProperty({ description: 'User data keys it wraps' }) dataKeys: number;
  @ApiProperty({ description: 'Service-wide keys (blind-index root) it wraps' }) systemKeys: number;
}

export class KeyRotationResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) status: string;
  @ApiProperty() targetKeyId: string;
  @ApiProperty({ description: 'Keys not on the target key when the rotation started' }) keysTotal: number;
  @ApiProperty() keysRewrapped: number;
  @ApiProperty() requestedBy: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class CryptoStatusResponseDto {
  @ApiProperty() currentKeyId: string;
  @ApiProperty({ type: [KekUsageDto] }) keys: KekUsageDto[];
  @ApiProperty({ description: 'Keys still wrapped by a KEK other than the current one (0 when rotation is complete)' })
  keysNotOnCurrent: number;
  @ApiProperty({
    type: [String],
    description: 'Configured, non-current keys that wrap nothing: safe to remove from the configuration',
  })
  retirableKeyIds: string[];
  @ApiProperty({ type: KeyRotationResponseDto, nullable: true, description: 'The latest rotation' })
  rotation: KeyRotationResponseDto | null;
}

export function toRotationResponse(r: KeyRotation): KeyRotationResponseDto {
  return {
    id: r.id,
    status: r.status,
    targetKeyId: r.targetKekId,
    keysTotal: r.keysTotal,
    keysRewrapped: r.keysRewrapped,
    requestedBy: r.requestedBy,
    startedAt: r.startedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    error: r.lastError ?? null,
  };
}

export function toCryptoStatusResponse(s: CryptoStatus): CryptoStatusResponseDto {
  return {
    currentKeyId: s.currentKeyId,
    keys: s.keys.map((k) => ({ ...k })),
    keysNotOnCurrent: s.keysNotOnCurrent,
    retirableKeyIds: s.retirableKeyIds,
    rotation: s.rotation ? toRotationResponse(s.rotation) : null,
  };
}
