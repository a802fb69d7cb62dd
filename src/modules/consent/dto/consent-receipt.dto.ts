import { ApiProperty } from '@nestjs/swagger';
import { CursorField, LimitField } from '../../../common/http/query-fields';
import { CONSENT_SOURCES, type ConsentSource } from '../entities/consent-record.entity';

export class ConsentHistoryQueryDto {
  @CursorField()
  cursor?: string;

  @LimitField(100, 20)
  limit: number = 20;
}

export class ConsentReceiptDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'collective_learning' }) purpose!: string;
  @ApiProperty() granted!: boolean;
  @ApiProperty() policyVersion!: string;
  @ApiProperty({ enum: CONSENT_SOURCES }) source!: ConsentSource;
  @ApiProperty({ description: '`self` when the user acted; else the service or admin that did' }) actor!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ description: 'SHA-256 over the previous record’s hash and this record (hex)' }) hash!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The previous record’s hash; null for the first' })
  prevHash!: string | null;
  @ApiProperty({ description: 'Whether the chain recomputes from the first record up to and including this one' })
  verified!: boolean;
}

export class ConsentHistoryDto {
  @ApiProperty({ type: [ConsentReceiptDto] }) items!: ConsentReceiptDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
