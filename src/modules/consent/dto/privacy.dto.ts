import { ApiProperty } from '@nestjs/swagger';
import type { ErasureReceipt } from '../privacy-erasure.service';

export class ErasureReceiptDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Quote it to prove the erasure; the receipt is kept under the pseudonym',
  })
  erasureId: string;
  @ApiProperty({ format: 'date-time' }) erasedAt: string;
  @ApiProperty({
    description: 'The keyed pseudonym that stands for the user in the evidence kept (consent ledger, audit log)',
    example: 'p:3f…',
  })
  subject: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description:
      'Per data class, what this request deleted or pseudonymized (all zero when a repeat found nothing left)',
    example: {
      learningEvents: 120,
      privacySettings: 1,
      dataKeys: 1,
      consentRecordsPseudonymized: 2,
      auditEntriesPseudonymized: 5,
    },
  })
  counts: Record<string, number>;
}

export function toReceiptDto(r: ErasureReceipt): ErasureReceiptDto {
  return { erasureId: r.erasureId, erasedAt: r.erasedAt.toISOString(), subject: r.subject, counts: r.counts };
}
