import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEntry } from '../entities/audit-entry.entity';

export class AuditEntryResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() actor: string;
  @ApiProperty({ enum: ['user', 'service', 'admin', 'client', 'system', 'anonymous'] }) actorType: string;
  @ApiProperty() action: string;
  @ApiPropertyOptional({ nullable: true, type: String }) target: string | null;
  @ApiProperty({ enum: ['success', 'failure', 'denied'] }) outcome: string;
  @ApiPropertyOptional({ nullable: true, type: String }) ip: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) requestId: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) details: Record<string, unknown> | null;
}

export class AuditPageResponseDto {
  @ApiProperty({ type: [AuditEntryResponseDto] }) items: AuditEntryResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export function toAuditEntryResponse(e: AuditEntry): AuditEntryResponseDto {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: e.actor,
    actorType: e.actorType,
    action: e.action,
    target: e.target ?? null,
    outcome: e.outcome,
    ip: e.ip ?? null,
    requestId: e.requestId ?? null,
    details: e.details ?? null,
  };
}
