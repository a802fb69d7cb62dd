import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool.service';

/** A user's hold lock: tried by an erasure's transaction, taken by placing a hold, so the two never interleave. */
const HOLD_LOCK = "hashtextextended('hold:' || $1, 0)";

export interface StoredHold {
  user_id: string;
  reason: string;
  placed_by: string;
  placed_at: Date | string;
}

/** The SQL of `legal_holds`. */
@Injectable()
export class LegalHoldsRepository {
  constructor(private readonly sql: SqlPool) {}

  /** Takes the user's hold lock in the caller's transaction without waiting; false when a hold change has it. */
  async tryLock(tx: PoolClient, userId: string): Promise<boolean> {
    const { rows } = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${HOLD_LOCK}) AS locked`, [
      userId,
    ]);
    return rows[0].locked;
  }

  /** Whether the user is under hold; in the caller's transaction when given one. */
  async isHeld(userId: string, tx?: PoolClient): Promise<boolean> {
    const sql = 'SELECT true AS held FROM legal_holds WHERE user_id = $1';
    const rows = tx ? (await tx.query(sql, [userId])).rows : await this.sql.query<{ held: boolean }>(sql, [userId]);
    return rows.length > 0;
  }

  /**
   * Places or updates a hold; returns it. Waits for an erasure of the user in progress (the hold lock) and for a
   * consent change in progress (the consent lock), so neither acts on a state the hold has changed.
   */
  async place(userId: string, reason: string, placedBy: string): Promise<StoredHold> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${HOLD_LOCK})`, [userId]);
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('consent:' || $1, 0))", [userId]);
      const { rows } = await tx.query<StoredHold>(
        `INSERT INTO legal_holds (user_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (user_id) DO UPDATE SET reason = EXCLUDED.reason, placed_by = EXCLUDED.placed_by, placed_at = EXCLUDED.placed_at
         RETURNING user_id, reason, placed_by, placed_at`,
        [userId, reason, placedBy],
      );
      return rows[0];
    });
  }

  /** Lifts a hold; false when there was none. Takes the hold lock, so an erasure in progress never sees it half-way. */
  async lift(userId: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${HOLD_LOCK})`, [userId]);
      const { rowCount } = await tx.query('DELETE FROM legal_holds WHERE user_id = $1', [userId]);
      return (rowCount ?? 0) > 0;
    });
  }

  /** Oldest first; `afterUserId` pages by user id. */
  async page(limit: number, afterUserId?: string): Promise<StoredHold[]> {
    return this.sql.query<StoredHold>(
      'SELECT user_id, reason, placed_by, placed_at FROM legal_holds WHERE ($1::uuid IS NULL OR user_id > $1::uuid) ORDER BY user_id LIMIT $2',
      [afterUserId ?? null, limit],
    );
  }
}
