import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../../observability/metrics.service';
import { SqlPool } from '../sql-pool.service';
import { mapPage, type Page } from '../../common/pagination/keyset-page';
import { RunBook, runView, type StoredRunBase } from './run-book';
import { RunMetrics } from './run-metrics';

/** A kind of run as its module declares it; the rest follows from `table` (`<kind>_runs`). */
export interface RunKind {
  /** `<kind>_runs`: also names the metrics (`<kind>_runs_total`, `<kind>_run_duration_seconds`) and the cursors. */
  table: string;
  /** The advisory lock that keeps runs of this kind one at a time across every instance. */
  lock: string;
  /** Columns recorded when a run starts (its window, its cutoffs). */
  startColumns: readonly string[];
  /** The jsonb column that receives the per-step report. */
  reportColumn: string;
  /** Columns recorded when a run finishes (where it read). */
  finishColumns?: readonly string[];
  runsHelp: string;
  durationHelp: string;
  /** Duration histogram buckets, in seconds. */
  buckets: number[];
  /** Whose log the run lines go to (the service that runs them). */
  logger: string;
  /** Names the history list in its cursors; the table's name in kebab case unless set (a name clients already hold). */
  cursorName?: string;
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
          table: kind.table,
          lock: kind.lock,
          startColumns: kind.startColumns,
          reportColumn: kind.reportColumn,
          finishColumns: kind.finishColumns,
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
