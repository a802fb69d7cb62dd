import type { Client } from 'pg';
import { SqlPool } from '../../src/database/sql-pool.service';
import type { Gate } from './gate';
import type { TestApp } from './test-app';
import { waitFor } from './wait';

/** The tables where the scheduled jobs record their runs. */
export type RunsTable = 'mining_runs' | 'retention_runs' | 'insight_runs';

/**
 * Waits up to `timeoutMs` for run `id` in `table` to end, and returns its last status (`running` still, or undefined
 * when the run was never recorded; the caller asserts on it).
 */
export function endedRunStatus(
  pg: Client,
  table: RunsTable,
  id: string,
  timeoutMs = 20_000,
): Promise<string | undefined> {
  return waitFor(
    async () => (await pg.query<{ status: string }>(`SELECT status FROM ${table} WHERE id = $1`, [id])).rows[0]?.status,
    (status) => status !== undefined && status !== 'running',
    timeoutMs,
  );
}

/** Asserts that no two finished runs in `table` overlapped in time (a run starts once the one before has ended). */
export async function expectRunsNeverOverlapped(pg: Client, table: RunsTable): Promise<void> {
  const runs = (
    await pg.query<{ started_at: Date; finished_at: Date }>(
      `SELECT started_at, finished_at FROM ${table} WHERE finished_at IS NOT NULL ORDER BY started_at`,
    )
  ).rows;
  for (let i = 1; i < runs.length; i++)
    expect(runs[i].started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1].finished_at.getTime() - 1);
}

/**
 * Starts a run at `route` (as an admin) and holds it at `gate`, then asserts that a second start answers 409 with
 * `code` and the running run's id; releases the gate and returns that id.
 */
export async function expectSecondStartRefused(t: TestApp, route: string, gate: Gate, code: string): Promise<string> {
  const admin = `Bearer ${t.token('admin-runs', ['admin'])}`;
  gate.block();
  try {
    const first = await t.http.post(route).set('authorization', admin);
    expect(first.status).toBe(202);
    await gate.entered;
    const second = await t.http.post(route).set('authorization', admin);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code, runId: first.body.runId });
    return first.body.runId as string;
  } finally {
    gate.release();
  }
}

/** Asserts that an admin's request started run `runId` and was audited as `action` (e.g. `patterns.run_requested`). */
export async function expectRunRequestAudited(t: TestApp, action: string, runId: string): Promise<void> {
  const rows = await t.app
    .get(SqlPool)
    .query<{ actor_type: string }>('SELECT actor_type FROM audit_log WHERE action = $1 AND target = $2', [
      action,
      runId,
    ]);
  expect(rows).toEqual([{ actor_type: 'admin' }]);
}
