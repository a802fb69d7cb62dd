import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../../observability/metrics.service';
import { SqlPool } from '../sql-pool.service';
import { mapPage, type Page } from '../../common/pagination/keyset-page';
import { RunBook, runView, type RunBookSpec, type StoredRunBase } from './run-book';
import { RunMetrics, type RunMetricsSpec } from './run-metrics';

/**
 * A kind of run as its module declares it: its `RunBookSpec` and `RunMetricsSpec` less what follows from `table`
 * (`<kind>_runs`: the title, the metrics' prefix and, unless set, the cursors' name), and whose log it writes to.
 */
export interface RunKind
  extends
    Omit<RunBookSpec, 'title' | 'cursorName'>,
    Partial<Pick<RunBookSpec, 'cursorName'>>,
    Omit<RunMetricsSpec, 'prefix'> {
  /** The service that runs them (their log lines' context). */
  logger: string;
}

/**
 * The run book of one kind as an injectable base: `class InsightRuns extends RunBookOf<Row, Report>({...})`, which
 * adds `kindView` (what a run record of its kind shows besides what every run shows). Log lines call a run
 * "<Kind> run"; the history list's cursors are named after the table.
 */
export function RunBookOf<Row extends StoredRunBase, Report>(kind: RunKind) {
  const name = kind.table.replace(/_runs$/, '');
  @Injectable()
  abstract class KindRunBook extends RunBook<Row, Report> {
    constructor(sql: SqlPool, metrics: MetricsService) {
      super(
        sql,
        {
          ...kind,
          title: `${name.charAt(0).toUpperCase()}${name.slice(1)} run`,
          cursorName: kind.cursorName ?? kind.table.replaceAll('_', '-'),
        },
        new RunMetrics(metrics, { prefix: name, ...kind }),
        new Logger(kind.logger),
      );
    }

    /** The fields of this kind's run record: its start columns and its report. */
    abstract kindView(row: Row): object;

    /** One page of the run history, newest first, as the API shows it. */
    async views(
      limit: number,
      cursor?: string,
    ): Promise<Page<ReturnType<typeof runView> & ReturnType<this['kindView']>>> {
      return mapPage(await this.list(limit, cursor), (row) => ({
        ...runView(row),
        ...(this.kindView(row) as ReturnType<this['kindView']>),
      }));
    }
  }
  return KindRunBook;
}
