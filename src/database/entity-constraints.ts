import type { CheckConstraint, TriggerDef } from '@mikro-orm/core';

/**
 * `<table>_<column>_check`: the column holds one of `values` (the list that also types the column, so the two cannot
 * drift apart).
 */
export function oneOfCheck(table: string, column: string, values: readonly string[]): CheckConstraint {
  return {
    name: `${table}_${column}_check`,
    expression: `"${column}" in (${values.map((value) => `'${value}'`).join(', ')})`,
  };
}

/**
 * `<table>_append_only`: the trigger that runs the table's function of that name (written in its migration) before
 * every UPDATE and DELETE; the function refuses them except on the paths that open it for their own transaction.
 */
export function appendOnlyTrigger(table: string): TriggerDef {
  const name = `${table}_append_only`;
  return {
    name,
    timing: 'before',
    events: ['update', 'delete'],
    expression: `create trigger "${name}" before update or delete on "${table}" for each row execute function "${name}"()`,
  };
}
