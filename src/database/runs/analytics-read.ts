import { p, type CheckConstraint } from '@mikro-orm/core';
import { oneOfCheck } from '../entity-constraints';
import { READ_SOURCES, type ReadFrom, type ReadSource } from '../replica-router';

/**
 * What a run that reads analytics (mining, insight generation) records of where it read (`ReplicaRouter`): the
 * entity's columns and check, the run book's finish columns, the stored row's fields, the outcome's details and the
 * API view, so that each kind of run adds them with one name each.
 */
export const analyticsRead = {
  /** The entity's properties: where the run read, and why not the replica. */
  properties: () => ({
    readFrom: p.string().length(16).default('primary').$type<ReadFrom>(),
    readFallback: p.string().length(256).nullable(),
  }),
  check: (table: string): CheckConstraint => oneOfCheck(table, 'read_from', READ_SOURCES),
  /** `RunBookSpec.finishColumns`. */
  columns: ['read_from', 'read_fallback'] as const,
  /** `RunOutcome.details` of a run that read from `read`. */
  details: (read: ReadSource) => ({ read_from: read.source, read_fallback: read.fallback ?? null }),
  view: (row: StoredAnalyticsRead) => ({ readFrom: row.read_from, readFallback: row.read_fallback }),
};

/** The stored columns of `analyticsRead`. */
export interface StoredAnalyticsRead {
  read_from: ReadFrom;
  read_fallback: string | null;
}
