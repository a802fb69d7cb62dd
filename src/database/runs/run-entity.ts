import { p } from '@mikro-orm/core';
import type { RunStatus } from '../../common/runs/run-status';

/** The columns every run table has (`StoredRunBase`); a kind's entity adds its own and its report. */
export function runProperties<Trigger extends string>() {
  return {
    id: p.uuid().primary(),
    trigger: p.string().length(16).$type<Trigger>(),
    requestedBy: p.string().length(128).nullable(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    durationMs: p.integer().nullable(),
    status: p.string().length(16).$type<RunStatus>(),
    error: p.string().length(1024).nullable(),
  };
}

/** The indexes and the status check every run table has. */
export function runTableExtras(table: string) {
  return {
    indexes: [{ properties: 'startedAt' as const }, { properties: 'status' as const }],
    statusCheck: {
      name: `${table}_status_check`,
      expression: `"status" in ('running', 'succeeded', 'partial', 'failed')`,
    },
  };
}
