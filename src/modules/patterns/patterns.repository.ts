import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { writeInChunks } from '../../database/chunked-write';
import { SqlPool } from '../../database/sql-pool.service';
import type { PatternStatus } from './entities/global-pattern.entity';
import type { PublishedPattern } from './pattern-miner';
import { GAPPED_PREFIX } from './miners/sequence.miner';

export interface StoredPattern {
  id: string;
  pattern_type: string;
  module: string;
  signature: string;
  items: Record<string, unknown>;
  support: number;
  occurrences: string | null;
  confidence: number | null;
  lift: number | null;
  stats: Record<string, number> | null;
  first_seen: Date | string;
  last_seen: Date | string;
  run_id: string;
  status: PatternStatus;
  retired_at: Date | string | null;
}

export type SequenceRow = Pick<StoredPattern, 'items' | 'confidence' | 'support'>;

export type PatternSort = 'support' | 'recent';

export interface PatternFilter {
  type?: string;
  module?: string;
  minSupport?: number;
  since?: Date;
  status: PatternStatus;
  sort: PatternSort;
  /** Keyset position after which the page starts: [support or last_seen, id]. */
  after?: [number | string, string];
}

const COLUMNS =
  'id, pattern_type, module, signature, items, support, occurrences, confidence, lift, stats, first_seen, last_seen, run_id, status, retired_at';

/** The SQL of `global_patterns`: a run's upsert and retirement, and keyset-paged reads. */

@Injectable()
export class PatternsRepository {
  constructor(private readonly sql: SqlPool) {}

  /** Inserts new patterns and updates known ones in place (reactivating retired ones); returns how many. */
  async upsert(
    client: PoolClient,
    runId: string,
    patternType: string,
    patterns: PublishedPattern[],
    seenAt: Date,
  ): Promise<number> {
    return writeInChunks(patterns, (chunk) =>
      client.query(
        `INSERT INTO global_patterns (id, pattern_type, module, signature, items, support, occurrences, confidence, lift, stats, first_seen, last_seen, run_id, status)
       SELECT t.id, $2, t.module, t.signature, t.items, t.support, t.occurrences, t.confidence, t.lift, t.stats, $3, $3, $1, 'active'
         FROM unnest($4::uuid[], $5::text[], $6::text[], $7::jsonb[], $8::int[], $9::bigint[], $10::float8[], $11::float8[], $12::jsonb[])
           AS t(id, module, signature, items, support, occurrences, confidence, lift, stats)
       ON CONFLICT (pattern_type, module, signature) DO UPDATE SET
         items = EXCLUDED.items, support = EXCLUDED.support, occurrences = EXCLUDED.occurrences, confidence = EXCLUDED.confidence,
         lift = EXCLUDED.lift, stats = EXCLUDED.stats, last_seen = EXCLUDED.last_seen, run_id = EXCLUDED.run_id,
         status = 'active', retired_at = NULL, updated_at = now()`,
        [
          runId,
          patternType,
          seenAt,
          chunk.map(() => uuidv7()),
          chunk.map((p) => p.module),
          chunk.map((p) => p.signature),
          chunk.map((p) => JSON.stringify(p.items)),
          chunk.map((p) => p.support),
          chunk.map((p) => p.occurrences),
          chunk.map((p) => p.confidence),
          chunk.map((p) => p.lift),
          chunk.map((p) => (p.stats ? JSON.stringify(p.stats) : null)),
        ],
      ),
    );
  }

  /** Retires the active patterns of a type that the run did not publish again; returns how many. */
  async retireOthers(client: PoolClient, runId: string, patternType: string, at: Date): Promise<number> {
    const result = await client.query(
      `UPDATE global_patterns SET status = 'retired', retired_at = $3, updated_at = now() WHERE pattern_type = $1 AND status = 'active' AND run_id <> $2`,
      [patternType, runId, at],
    );
    return result.rowCount ?? 0;
  }

  /** Retires the active patterns of a type last counted (last seen) before `before`; returns how many. */
  async retireCountedBefore(client: PoolClient, patternType: string, before: Date, at: Date): Promise<number> {
    const result = await client.query(
      `UPDATE global_patterns SET status = 'retired', retired_at = $3, updated_at = now() WHERE pattern_type = $1 AND status = 'active' AND last_seen < $2`,
      [patternType, before, at],
    );
    return result.rowCount ?? 0;
  }

  /** Retires the active patterns of every type not in `types`; returns how many. */
  async retireTypesOtherThan(client: PoolClient, types: string[], at: Date): Promise<number> {
    const result = await client.query(
      `UPDATE global_patterns SET status = 'retired', retired_at = $2, updated_at = now() WHERE status = 'active' AND NOT (pattern_type = ANY($1::text[]))`,
      [types, at],
    );
    return result.rowCount ?? 0;
  }

  async page(filter: PatternFilter, limit: number): Promise<StoredPattern[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      let text = clause;
      for (const value of values) {
        params.push(value);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    add('status = ?', filter.status);
    if (filter.type) add('pattern_type = ?', filter.type);
    if (filter.module) add('module = ?', filter.module);
    if (filter.minSupport !== undefined) add('support >= ?', filter.minSupport);
    if (filter.since) add('last_seen >= ?', filter.since);
    const key = filter.sort === 'support' ? 'support' : 'last_seen';
    if (filter.after)
      add(
        `(${key}, id) < (?, ?::uuid)`,
        filter.sort === 'support' ? filter.after[0] : new Date(filter.after[0]),
        filter.after[1],
      );
    params.push(limit);
    return this.sql.query<StoredPattern>(
      `SELECT ${COLUMNS} FROM global_patterns WHERE ${where.join(' AND ')} ORDER BY ${key} DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async byId(id: string): Promise<StoredPattern | undefined> {
    const [row] = await this.sql.query<StoredPattern>(`SELECT ${COLUMNS} FROM global_patterns WHERE id = $1`, [id]);
    return row;
  }

  /** The active sequence patterns of a module, with what prediction needs of them. */
  /** The module's active contiguous sequences (gapped ones say nothing about the very next action). */
  async activeSequences(module: string): Promise<SequenceRow[]> {
    return this.sql.query<SequenceRow>(
      `SELECT items, confidence, support FROM global_patterns
        WHERE status = 'active' AND pattern_type = 'sequence' AND module = $1 AND signature NOT LIKE '${GAPPED_PREFIX}%'`,
      [module],
    );
  }

  /** Active patterns per type, for metrics. */
  async activeCounts(): Promise<{ pattern_type: string; count: number }[]> {
    return this.sql.query(
      `SELECT pattern_type, count(*)::int AS count FROM global_patterns WHERE status = 'active' GROUP BY pattern_type`,
    );
  }
}
