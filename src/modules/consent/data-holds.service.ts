import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { DomainError } from '../../common/errors/domain.error';
import type { Contributions } from '../../common/extension/contributions';
import { DATA_HOLDS, type DataHold } from './data-hold';

/** Every contributed data hold (legal holds, …), asked together: what erasure, withdrawal and deletion consult. */
@Injectable()
export class DataHolds {
  constructor(@Inject(DATA_HOLDS) private readonly holds: Contributions<DataHold>) {}

  /** Takes each hold's lock on the user without waiting, in the caller's transaction; false when one is busy. */
  async tryLock(tx: PoolClient, userId: string): Promise<boolean> {
    for (const hold of this.holds.all()) if (!(await hold.tryLock(tx, userId))) return false;
    return true;
  }

  /** Why the user's data must be kept (the first hold's error), or null. */
  async heldBecause(tx: PoolClient, userId: string): Promise<DomainError | null> {
    for (const hold of this.holds.all()) {
      const refusal = await hold.heldBecause(tx, userId);
      if (refusal) return refusal;
    }
    return null;
  }
}
