import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { DomainError } from '../../common/errors/domain.error';
import type { DataHold } from '../consent/data-hold';
import { LegalHoldsRepository } from './legal-holds.repository';
import { LegalHoldError } from './retention.errors';

/**
 * Legal holds keep a user's data from erasure, and from deletion on withdrawal (it is excluded from mining instead).
 * Contributed to the consent module, which asks it inside its own transactions.
 */
@Injectable()
export class LegalHoldDataHold implements DataHold {
  constructor(private readonly holds: LegalHoldsRepository) {}

  tryLock(tx: PoolClient, userId: string): Promise<boolean> {
    return this.holds.tryLock(tx, userId);
  }

  async heldBecause(tx: PoolClient, userId: string): Promise<DomainError | null> {
    return (await this.holds.isHeld(userId, tx)) ? new LegalHoldError() : null;
  }
}
