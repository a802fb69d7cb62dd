import type { Type } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { DomainError } from '../../common/errors/domain.error';
import { contributeTo } from '../../common/extension/contributions';

/**
 * What keeps a user's data from being erased, or deleted when they withdraw consent: a legal hold, say. The module
 * that owns such holds contributes one (`dataHold(Class)` among its providers); erasure and withdrawal ask every
 * contributed hold inside their own transaction, so this module names none of them and reads none of their tables.
 */
export interface DataHold {
  /**
   * Takes this user's hold lock without waiting, in the erasure's transaction: false when a hold of the user is
   * being placed or lifted right now (the erasure then answers 409 rather than hold a connection while it waits).
   */
  tryLock(tx: PoolClient, userId: string): Promise<boolean>;
  /** Why the user's data must be kept (the error an erasure is refused with), or null; read in the caller's transaction. */
  heldBecause(tx: PoolClient, userId: string): Promise<DomainError | null>;
}

export const DATA_HOLDS = Symbol('data-holds');

export const dataHold = (hold: Type<DataHold>) => contributeTo(DATA_HOLDS, hold);
