import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { SqlPool } from '../../database/sql-pool.service';
import { MetricsService } from '../../observability/metrics.service';

/** Rows purged per data class, and the age of the oldest event (read at scrape time); the runs' own are `RetentionRuns`'. */
@Injectable()
export class RetentionMetrics {
  private readonly purgedRows: Counter<'data_class'>;

  constructor(metrics: MetricsService, sql: SqlPool) {
    this.purgedRows = metrics.counter({
      name: 'retention_purged_rows_total',
      help: 'Rows removed by retention, by data class',
      labelNames: ['data_class'],
    });
    metrics.gauge({
      name: 'learning_oldest_event_age_seconds',
      help: 'Age of the oldest stored learning event of a user not under legal hold (alert when it grows past DATA_RETENTION_DAYS: retention stopped working)',
      async collect() {
        const [row] = await sql.query<{ age: number | null }>(
          `SELECT extract(epoch FROM now() - min(e.timestamp))::float8 AS age FROM global_learning_events e WHERE NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.user_id = e.user_id)`,
        );
        this.set(row?.age ?? 0);
      },
    });
  }

  purged(counts: Record<string, number>): void {
    for (const [dataClass, rows] of Object.entries(counts))
      if (rows > 0) this.purgedRows.inc({ data_class: dataClass }, rows);
  }
}
