import { Inject, Injectable, type Type } from '@nestjs/common';
import { contributeTo } from '../extension/contributions';

/**
 * One data class's retention: which rows of which table are past their time. The module that owns the table
 * contributes it (`retentionPolicies(Class)` among its providers); the retention module purges every contributed
 * class, so it names none of the tables itself.
 */
export interface RetentionPolicy {
  /** Names the class in purge reports and metrics, e.g. `learning_events`. */
  dataClass: string;
  table: string;
  retentionDays: number;
  description: string;
  /**
   * When a row is past its time: the indexed time column it expires by (`t.<column> < cutoff`), which the purge
   * walks in index order, each batch starting where the last one ended; or, for other rules, an SQL condition on the
   * table (aliased `t`) with `$1` = the cutoff, which each batch evaluates afresh.
   */
  expired: { column: string } | string;
  /** The column a legal hold matches: a held user's rows are never purged. */
  userColumn?: string;
  /** A setting the table's guard trigger requires for deletes (set for each batch's own transaction). */
  deleteSetting?: string;
  /** Purged in ascending order: raw data before what is derived from it, run histories last (see RETENTION_ORDER). */
  order: number;
  /**
   * A gauge of the age of the oldest row not under legal hold, by this column: it grows past `retentionDays` when
   * the purge stopped working (alert on it).
   */
  ageGauge?: { column: string; metric: string; help: string };
}

/** A provider that contributes the retention policies of its module's tables. */
export interface RetentionPolicySource {
  retentionPolicies(): RetentionPolicy[];
}

export const RETENTION_POLICIES = Symbol('retention-policies');

export const retentionPolicies = (source: Type<RetentionPolicySource>) => contributeTo(RETENTION_POLICIES, source);

/**
 * A policy source computed from providers: `export const AuditRetention = retentionPolicySource([AppConfig], (config) =>
 * [...])`, registered as `retentionPolicies(AuditRetention)`.
 */
export function retentionPolicySource<const Deps extends readonly Type[]>(
  dependencies: Deps,
  policies: (...deps: { [K in keyof Deps]: InstanceType<Deps[K]> }) => RetentionPolicy[],
): Type<RetentionPolicySource> {
  @Injectable()
  class PolicySource implements RetentionPolicySource {
    private readonly deps: unknown[];

    constructor(...deps: unknown[]) {
      this.deps = deps;
    }

    retentionPolicies(): RetentionPolicy[] {
      return policies(...(this.deps as { [K in keyof Deps]: InstanceType<Deps[K]> }));
    }
  }
  dependencies.forEach((dependency, index) => Inject(dependency)(PolicySource, undefined, index));
  return PolicySource;
}

/** Purge order by kind of data (`RetentionPolicy.order`); a module adds to it to order its classes among themselves. */
export const RETENTION_ORDER = { rawData: 10, derived: 20, published: 30, audit: 40, runHistory: 50 } as const;
