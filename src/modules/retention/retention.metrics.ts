import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { SqlPool } from '../../database/sql-pool.service';
import { MetricsService } from '../../observability/metrics.service';

/** Rows purged per data class, and the age of each class's oldest row (read at scrape time); the runs' own are `RetentionRuns`'. */
@Injectable()
export class RetentionMetrics {
  private readonly purgedRows: Counter<'data_class'>;

  constructor(
    private readonly metrics: MetricsService,
    private readonly sql: SqlPool,
  ) {
    this.purgedRows = metrics.counter({
      name: 'retention_purged_rows_total',
      help: 'Rows removed by retention, by data class',
      labelNames: ['data_class'],
    });
  }

  /**
   * A gauge per data class that asks for one (`RetentionPolicy.ageGauge`): the age in seconds of its oldest row not
   * under legal hold, read at scrape time by `query`.
   */
  watchAges(gauges: { metric: string; help: string; query: string }[]): void {
    const sql = this.sql;
    for (const gauge of gauges) {
      this.metrics.gauge({
        name: gauge.metric,
        help: gauge.help,
        async collect() {
          const [row] = await sql.query<{ age: number | null }>(gauge.query);
          this.set(row?.age ?? 0);
        },
      });
    }
  }

  purged(counts: Record<string, number>): void {
    for (const [dataClass, rows] of Object.entries(counts))
      if (rows > 0) this.purgedRows.inc({ data_class: dataClass }, rows);
  }
}
