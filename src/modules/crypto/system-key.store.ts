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

interface Row {
  name: string;
  key_id: string;
  wrapped_key: Buffer | null;
  kek_id: string | null;
  fingerprint: string;
}

const toStored = (r: Row): StoredSystemKey => ({
  name: r.name,
  keyId: r.key_id,
  wrappedKey: r.wrapped_key,
  kekId: r.kek_id,
  fingerprint: r.fingerprint,
});

/** SQL for `crypto_system_keys` (a handful of rows: service-wide keys such as the blind-index root). */
@Injectable()
export class SystemKeyStore {
  constructor(private readonly sql: SqlPool) {}

  async find(name: string): Promise<StoredSystemKey | null> {
    const rows = await this.sql.query<Row>(
      'SELECT name, key_id, wrapped_key, kek_id, fingerprint FROM crypto_system_keys WHERE name = $1',
      [name],
    );
    return rows[0] ? toStored(rows[0]) : null;
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
      const { rows } = await client.query<Row>(
        'SELECT name, key_id, wrapped_key, kek_id, fingerprint FROM crypto_system_keys WHERE kek_id IS NOT NULL AND kek_id <> $1 FOR UPDATE',
        [targetKekId],
      );
      for (const row of rows) {
        await client.query('UPDATE crypto_system_keys SET wrapped_key = $2, kek_id = $3 WHERE name = $1', [
          row.name,
          rewrap(toStored(row)),
          targetKekId,
        ]);
      }
      return rows.length;
    });
  }
}
