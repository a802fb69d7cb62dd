import { defineEntity, p, type CheckConstraint } from '@mikro-orm/core';
import { RUN_STATUSES, type RunStatus } from '../../common/runs/run-status';
import { uuidPrimaryKey } from '../entity-columns';
import { oneOfCheck } from '../entity-constraints';

/** The columns every run table has (`StoredRunBase`); a kind's entity adds its own and its report. */
export function runProperties<Trigger extends string>() {
  return {
    id: uuidPrimaryKey(),
    trigger: p.string().length(16).$type<Trigger>(),
    requestedBy: p.string().length(128).nullable(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    durationMs: p.integer().nullable(),
    status: p.string().length(16).$type<RunStatus>(),
    error: p.string().length(1024).nullable(),
  };
}

/**
 * A run table (`RunBook`): the columns every run has, then the kind's own `properties`; the indexes and the status
 * check every run table has, after the kind's own `checks`. `triggers` types the trigger column.
 */
export function defineRunEntity<
  const Name extends string,
  const Table extends string,
  Trigger extends string,
  const Properties extends Record<string, unknown>,
>(spec: {
  name: Name;
  tableName: Table;
  triggers: readonly Trigger[];
  properties: Properties;
  checks?: CheckConstraint[];
}) {
  return defineEntity({
    name: spec.name,
    tableName: spec.tableName,
    properties: { ...runProperties<Trigger>(), ...spec.properties },
    indexes: [{ properties: 'startedAt' as const }, { properties: 'status' as const }],
    checks: [...(spec.checks ?? []), oneOfCheck(spec.tableName, 'status', RUN_STATUSES)],
  });
}
