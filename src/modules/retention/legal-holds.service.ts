import { Injectable } from '@nestjs/common';
import { isUuidPosition, keysetPage, mapPage, type Page } from '../../common/pagination/keyset-page';
import { AuditService } from '../audit/audit.service';
import { LegalHoldsRepository, type StoredHold } from './legal-holds.repository';
import { LegalHoldNotFoundError } from './retention.errors';

export interface LegalHoldView {
  userId: string;
  reason: string;
  placedBy: string;
  placedAt: string;
}

/** Legal holds placed and lifted by admins, audited; listed by user id. */
@Injectable()
export class LegalHoldsService {
  constructor(
    private readonly holds: LegalHoldsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<LegalHoldView>> {
    const page = await keysetPage({
      cursor,
      limit,
      filters: { list: 'holds' },
      isPosition: isUuidPosition,
      fetch: (afterUserId, n) => this.holds.page(n, afterUserId),
      positionOf: (row) => row.user_id,
    });
    return mapPage(page, toHoldView);
  }

  async place(userId: string, reason: string, admin: string): Promise<LegalHoldView> {
    const hold = await this.holds.place(userId, reason, admin);
    await this.audit.adminDid(admin, 'retention.hold_placed', userId);
    return toHoldView(hold);
  }

  /** Lifts the user's hold; 404 when there is none. */
  async lift(userId: string, admin: string): Promise<void> {
    if (!(await this.holds.lift(userId))) throw new LegalHoldNotFoundError();
    await this.audit.adminDid(admin, 'retention.hold_lifted', userId);
  }
}

const toHoldView = (row: StoredHold): LegalHoldView => ({
  userId: row.user_id,
  reason: row.reason,
  placedBy: row.placed_by,
  placedAt: new Date(row.placed_at).toISOString(),
});
