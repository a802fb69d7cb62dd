import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { SqlPool } from '../../database/sql-pool.service';
import { MetricsService } from '../../observability/metrics.service';

/**
 * Consent and data-subject-rights metrics. The consent rate is read from the settings table at scrape time
 * (consenting users / users who ever answered), so every instance reports the same figure.
 */
@Injectable()
export class ConsentMetrics {
  private readonly withdrawals: Counter<'source'>;
  private readonly exports: Counter<'requested_by' | 'outcome'>;
  private readonly erasures: Counter<'requested_by'>;

  constructor(metrics: MetricsService, sql: SqlPool) {
    // Both gauges come from one query per scrape (the registry collects them concurrently).
    let pending: { at: number; counts: Promise<{ total: number; consenting: number }> } | undefined;
    const counts = () => {
      if (!pending || Date.now() - pending.at > 1000) {
        pending = {
          at: Date.now(),
          counts: sql
            .query<{ total: number; consenting: number }>(
              'SELECT count(*)::int AS total, count(*) FILTER (WHERE allow_collective_learning)::int AS consenting FROM user_privacy_settings',
            )
            .then((rows) => rows[0]),
        };
      }
      return pending.counts;
    };
    metrics.gauge({
      name: 'consent_users',
      help: 'Users with a consent answer on record, by state',
      labelNames: ['state'],
      async collect() {
        const c = await counts();
        this.set({ state: 'consenting' }, c.consenting);
        this.set({ state: 'not_consenting' }, c.total - c.consenting);
      },
    });
    metrics.gauge({
      name: 'consent_rate',
      help: 'Share of users on record who consent to collective learning now (0-1)',
      async collect() {
        const c = await counts();
        this.set(c.total === 0 ? 0 : c.consenting / c.total);
      },
    });
    this.withdrawals = metrics.counter({
      name: 'consent_withdrawals_total',
      help: 'Withdrawals of collective-learning consent, by source',
      labelNames: ['source'],
    });
    this.exports = metrics.counter({
      name: 'privacy_exports_total',
      help: 'Personal-data exports, by who asked (self or admin) and outcome',
      labelNames: ['requested_by', 'outcome'],
    });
    this.erasures = metrics.counter({
      name: 'privacy_erasures_total',
      help: 'Erasures (right to be forgotten), by who asked (self or admin)',
      labelNames: ['requested_by'],
    });
  }

  withdrawn(source: string): void {
    this.withdrawals.inc({ source });
  }

  exported(requestedBy: 'self' | 'admin', outcome: 'success' | 'failure'): void {
    this.exports.inc({ requested_by: requestedBy, outcome });
  }

  erased(requestedBy: 'self' | 'admin'): void {
    this.erasures.inc({ requested_by: requestedBy });
  }
}
