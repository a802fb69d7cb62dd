import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { finiteOrNull, writeInChunks } from '../../database/chunked-write';
import { SqlPool } from '../../database/sql-pool.service';
import type { InsightEvidence, InsightStatus } from './entities/collective-insight.entity';
import type { GeneratedInsight, Span } from './insight-generator';

export interface StoredInsight {
  id: string;
  insight_type: string;
  module: string;
  key: string;
  title: string;
  metric: string;
  value: number;
  baseline: number | null;
  change: number | null;
  significance: number;
  support: number;
  period_from: Date | string;
  period_to: Date | string;
  evidence: InsightEvidence;
  stats: Record<string, number> | null;
  noised: boolean;
  run_id: string;
  status: InsightStatus;
  created_at: Date | string;
  updated_at: Date | string;
  expires_at: Date | string;
}

export interface InsightFilter {
  type?: string;
  module?: string;
  /** Only insights generated (created or regenerated) at or after this instant. */
  since?: Date;
  minSignificance?: number;
  status: InsightStatus;
  /** Keyset position: (significance, id) of the last item of the previous page. */
  after?: [number, string];
}

const COLUMNS =
  'id, insight_type, module, key, title, metric, value, baseline, change, significance, support, period_from, period_to, evidence, stats, noised, run_id, status, created_at, updated_at, expires_at';

/** The SQL of `collective_insights`. */
@Injectable()
export class InsightsRepository {
  constructor(private readonly sql: SqlPool) {}

  /** Inserts new insights and updates known ones in place (reactivating withdrawn ones); returns how many. */
  async upsert(
    client: PoolClient,
    runId: string,
    insightType: string,
    insights: GeneratedInsight[],
    period: Span,
    expiresAt: Date,
    noised: boolean,
  ): Promise<number> {
    return writeInChunks(insights, (chunk) =>
      client.query(
        `INSERT INTO collective_insights (id, insight_type, module, key, title, metric, value, baseline, change, significance, support, period_from, period_to, evidence, stats, noised, run_id, status, expires_at)
         SELECT t.id, $2, t.module, t.key, t.title, t.metric, t.value, t.baseline, t.change, t.significance, t.support, t.period_from, t.period_to, t.evidence, t.stats, $3, $1, 'active', $4
           FROM unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::int[], $15::timestamptz[], $16::timestamptz[], $17::jsonb[], $18::jsonb[])
             AS t(id, module, key, title, metric, value, baseline, change, significance, support, period_from, period_to, evidence, stats)
         ON CONFLICT (insight_type, module, key) DO UPDATE SET
           title = EXCLUDED.title, metric = EXCLUDED.metric, value = EXCLUDED.value, baseline = EXCLUDED.baseline, change = EXCLUDED.change,
           significance = EXCLUDED.significance, support = EXCLUDED.support, period_from = EXCLUDED.period_from, period_to = EXCLUDED.period_to,
           evidence = EXCLUDED.evidence, stats = EXCLUDED.stats, noised = EXCLUDED.noised, run_id = EXCLUDED.run_id, status = 'active',
           withdrawn_at = NULL, updated_at = now(), expires_at = EXCLUDED.expires_at`,
        [
          runId,
          insightType,
          noised,
          expiresAt,
          chunk.map(() => uuidv7()),
          chunk.map((i) => i.module),
          chunk.map((i) => i.key),
          chunk.map((i) => i.title.slice(0, 512)),
          chunk.map((i) => i.metric),
          chunk.map((i) => finiteOrNull(i.value) ?? 0),
          chunk.map((i) => finiteOrNull(i.baseline)),
          chunk.map((i) => finiteOrNull(i.change)),
          chunk.map((i) => Math.min(1, Math.max(0, finiteOrNull(i.significance) ?? 0))),
          chunk.map((i) => i.support),
          chunk.map((i) => (i.period ?? period).from),
          chunk.map((i) => (i.period ?? period).to),
          chunk.map((i) => JSON.stringify(i.evidence)),
          chunk.map((i) => (i.stats ? JSON.stringify(i.stats) : null)),
        ],
      ),
    );
  }

  /** Withdraws the active insights of a type that the run did not generate again; returns how many. */
  async withdrawOthers(client: PoolClient, runId: string, insightType: string): Promise<number> {
    const result = await client.query(
      `UPDATE collective_insights SET status = 'withdrawn', withdrawn_at = now(), updated_at = now() WHERE insight_type = $1 AND status = 'active' AND run_id <> $2`,
      [insightType, runId],
    );
    return result.rowCount ?? 0;
  }

  /** Withdraws the active insights of every type not in `types` (a generator was removed). */
  async withdrawTypesOtherThan(client: PoolClient, types: string[]): Promise<number> {
    const result = await client.query(
      `UPDATE collective_insights SET status = 'withdrawn', withdrawn_at = now(), updated_at = now() WHERE status = 'active' AND NOT (insight_type = ANY($1::text[]))`,
      [types],
    );
    return result.rowCount ?? 0;
  }

  /** A page, most significant first (then id); active ones only list those not expired. */
  async page(filter: InsightFilter, limit: number): Promise<StoredInsight[]> {
    return this.sql.query<StoredInsight>(
      `SELECT ${COLUMNS} FROM collective_insights
        WHERE status = $1 AND ($1 <> 'active' OR expires_at > now())
          AND ($2::text IS NULL OR insight_type = $2) AND ($3::text IS NULL OR module = $3)
          AND ($4::timestamptz IS NULL OR updated_at >= $4) AND ($5::float8 IS NULL OR significance >= $5)
          AND ($6::float8 IS NULL OR (significance, id) < ($6, $7::uuid))
        ORDER BY significance DESC, id DESC LIMIT $8`,
      [
        filter.status,
        filter.type ?? null,
        filter.module ?? null,
        filter.since ?? null,
        filter.minSignificance ?? null,
        filter.after?.[0] ?? null,
        filter.after?.[1] ?? null,
        limit,
      ],
    );
  }

  async byId(id: string): Promise<StoredInsight | undefined> {
    const [row] = await this.sql.query<StoredInsight>(`SELECT ${COLUMNS} FROM collective_insights WHERE id = $1`, [id]);
    return row;
  }

  async activeCounts(): Promise<{ insight_type: string; count: number }[]> {
    return this.sql.query(
      `SELECT insight_type, count(*)::int AS count FROM collective_insights WHERE status = 'active' AND expires_at > now() GROUP BY insight_type`,
    );
  }
}
