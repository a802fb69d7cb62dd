import { Injectable } from '@nestjs/common';
import { isUuidPosition, keysetPage, mapPage, type Page } from '../../common/pagination/keyset-page';
import { ConsentLedgerService, type ConsentReceipt } from './consent-ledger.service';
import type { ConsentReceiptDto } from './dto/consent-receipt.dto';

/**
 * Consent receipts: a user's ledger records, newest first, each with its hash and whether the chain verifies up to
 * it. The whole chain is recomputed for every page — it holds one user's consent changes, a handful of rows.
 */
@Injectable()
export class ConsentReceiptsService {
  constructor(private readonly ledger: ConsentLedgerService) {}

  async page(userId: string, limit: number, cursor?: string): Promise<Page<ConsentReceiptDto>> {
    // Record ids are uuid v7, made when the record was: newest first is highest id first.
    const newestFirst = (await this.ledger.receipts(userId)).sort((a, b) => (a.id < b.id ? 1 : -1));
    const page = await keysetPage({
      cursor,
      limit,
      filters: { list: 'consent-receipts', userId },
      isPosition: isUuidPosition,
      fetch: (after, n) => Promise.resolve(newestFirst.filter((r) => after === undefined || r.id < after).slice(0, n)),
      positionOf: (r) => r.id,
    });
    return mapPage(page, toReceiptDto);
  }
}

function toReceiptDto(r: ConsentReceipt): ConsentReceiptDto {
  return { ...r, recordedAt: r.recordedAt.toISOString() };
}
