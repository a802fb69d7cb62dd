import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { inTransaction, SqlPool } from '../../database/sql-pool.service';

export interface StoredDataKey {
  userId: string;
  keyId: string;
  wrappedKey: Buffer;
  kekId: string;
}

/** Its columns under the names of `StoredDataKey`. */
const KEY = 'user_id AS "userId", key_id AS "keyId", wrapped_key AS "wrappedKey", kek_id AS "kekId"';

/** SQL for `user_data_keys`: read on every cold cache miss and written on every first event, so kept to one statement each. */
@Injectable()
export class DataKeyStore {
  constructor(private readonly sql: SqlPool) {}

  async find(userId: string): Promise<StoredDataKey | null> {
    const [key] = await this.sql.query<StoredDataKey>(`SELECT ${KEY} FROM user_data_keys WHERE user_id = $1`, [userId]);
    return key ?? null;
  }

  /** Inserts unless the user already has a key; returns whether this call's key won (concurrent first events race here). */
  async insertIfAbsent(key: StoredDataKey): Promise<boolean> {
    const rows = await this.sql.query(
      'INSERT INTO user_data_keys (user_id, key_id, wrapped_key, kek_id) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING RETURNING user_id',
      [key.userId, key.keyId, key.wrappedKey, key.kekId],
    );
    return rows.length === 1;
  }

  /** Deletes the user's key and leaves a tombstone of its id (no user id, no key material) in one statement. */
  async delete(userId: string, client?: PoolClient): Promise<boolean> {
    const sql = `WITH gone AS (DELETE FROM user_data_keys WHERE user_id = $1 RETURNING key_id)
       INSERT INTO shredded_data_keys (key_id) SELECT key_id FROM gone ON CONFLICT (key_id) DO NOTHING RETURNING key_id`;
    const rows = client ? (await client.query(sql, [userId])).rows : await this.sql.query(sql, [userId]);
    return rows.length === 1;
  }

  /** Whether a data key id belonged to a shredded user (tells "shredded" from "tampered or misplaced"). */
  async wasShredded(keyId: string): Promise<boolean> {
    return (await this.sql.query('SELECT 1 FROM shredded_data_keys WHERE key_id = $1', [keyId])).length === 1;
  }

  /** How many data keys each key-encryption key wraps. */
  async countByKek(): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ kek_id: string; n: string }>(
      'SELECT kek_id, count(*) AS n FROM user_data_keys GROUP BY kek_id',
    );
    return new Map(rows.map((r) => [r.kek_id, Number(r.n)]));
  }

  async countNotWrappedBy(kekId: string): Promise<number> {
    const [row] = await this.sql.query<{ n: string }>('SELECT count(*) AS n FROM user_data_keys WHERE kek_id <> $1', [
      kekId,
    ]);
    return Number(row.n);
  }

  /**
   * Rewraps the next batch (in user id order, after `afterUserId`) of keys not wrapped by `targetKekId`, in one
   * short transaction. Rows are locked (FOR NO KEY UPDATE: a shred waits, ingest's FOR KEY SHARE check does not), and the update also matches `key_id`, so a
   * key that was shredded and recreated meanwhile is never overwritten. Returns the last user id seen and the
   * number rewrapped; `lastUserId` is null when the pass reached the end.
   */
  async rewrapBatch(
    client: PoolClient,
    targetKekId: string,
    afterUserId: string | null,
    limit: number,
    rewrap: (key: StoredDataKey) => Buffer,
  ): Promise<{ lastUserId: string | null; rewrapped: number }> {
    return inTransaction(client, async () => {
      const { rows: keys } = await client.query<StoredDataKey>(
        `SELECT ${KEY} FROM user_data_keys
          WHERE ($1::uuid IS NULL OR user_id > $1) AND kek_id <> $2
          ORDER BY user_id LIMIT $3 FOR NO KEY UPDATE`,
        [afterUserId, targetKekId, limit],
      );
      if (keys.length === 0) return { lastUserId: null, rewrapped: 0 };
      const wrapped = keys.map(rewrap);
      const result = await client.query(
        `UPDATE user_data_keys AS k SET wrapped_key = v.wrapped_key, kek_id = $4, rewrapped_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::bytea[]) AS v(user_id, key_id, wrapped_key)
          WHERE k.user_id = v.user_id AND k.key_id = v.key_id`,
        [keys.map((k) => k.userId), keys.map((k) => k.keyId), wrapped, targetKekId],
      );
      return { lastUserId: keys[keys.length - 1].userId, rewrapped: result.rowCount ?? 0 };
    });
  }
}
