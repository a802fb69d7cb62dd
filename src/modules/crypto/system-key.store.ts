import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { inTransaction, SqlPool } from '../../database/sql-pool.service';

export interface StoredSystemKey {
  name: string;
  keyId: string;
  wrappedKey: Buffer | null;
  kekId: string | null;
  fingerprint: string;
}

/** Its columns under the names of `StoredSystemKey`. */
const KEY = 'name, key_id AS "keyId", wrapped_key AS "wrappedKey", kek_id AS "kekId", fingerprint';

/** SQL for `crypto_system_keys` (a handful of rows: service-wide keys such as the blind-index root). */
@Injectable()
export class SystemKeyStore {
  constructor(private readonly sql: SqlPool) {}

  async find(name: string): Promise<StoredSystemKey | null> {
    const [key] = await this.sql.query<StoredSystemKey>(`SELECT ${KEY} FROM crypto_system_keys WHERE name = $1`, [
      name,
    ]);
    return key ?? null;
  }

  /** Inserts unless present (instances booting together race here) and returns the row that won. */
  async insertIfAbsent(key: StoredSystemKey): Promise<StoredSystemKey> {
    await this.sql.query(
      'INSERT INTO crypto_system_keys (name, key_id, wrapped_key, kek_id, fingerprint) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING',
      [key.name, key.keyId, key.wrappedKey, key.kekId, key.fingerprint],
    );
    return (await this.find(key.name)) as StoredSystemKey;
  }

  async countByKek(): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ kek_id: string; n: string }>(
      'SELECT kek_id, count(*) AS n FROM crypto_system_keys WHERE kek_id IS NOT NULL GROUP BY kek_id',
    );
    return new Map(rows.map((r) => [r.kek_id, Number(r.n)]));
  }

  /** Rewraps every wrapped system key not under `targetKekId` (few rows: one statement each, one transaction). */
  async rewrapAll(client: PoolClient, targetKekId: string, rewrap: (key: StoredSystemKey) => Buffer): Promise<number> {
    return inTransaction(client, async () => {
      const { rows } = await client.query<StoredSystemKey>(
        `SELECT ${KEY} FROM crypto_system_keys WHERE kek_id IS NOT NULL AND kek_id <> $1 FOR UPDATE`,
        [targetKekId],
      );
      for (const key of rows) {
        await client.query('UPDATE crypto_system_keys SET wrapped_key = $2, kek_id = $3 WHERE name = $1', [
          key.name,
          rewrap(key),
          targetKekId,
        ]);
      }
      return rows.length;
    });
  }
}
