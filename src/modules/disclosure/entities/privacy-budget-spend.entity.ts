import { defineEntity, p } from '@mikro-orm/core';
import { uuidPrimaryKey } from '../../../database/entity-columns';
import { appendOnlyTrigger, oneOfCheck } from '../../../database/entity-constraints';

export const BUDGET_RUN_KINDS = ['mining', 'insights'] as const;
export type BudgetRunKind = (typeof BUDGET_RUN_KINDS)[number];

/**
 * One run's spend of the privacy budget, append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): what was
 * published stays published, so nothing, erasure included, ever gives budget back. Holds no personal data.
 */
const PrivacyBudgetSpendSchema = defineEntity({
  name: 'PrivacyBudgetSpend',
  tableName: 'privacy_budget_spends',
  properties: {
    id: uuidPrimaryKey(),
    runKind: p.string().length(16).$type<BudgetRunKind>(),
    runId: p.uuid(),
    epsilon: p.double(),
    delta: p.double(),
    spentAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['spentAt'] }],
  uniques: [{ properties: ['runKind', 'runId'] }],
  checks: [
    oneOfCheck('privacy_budget_spends', 'run_kind', BUDGET_RUN_KINDS),
    {
      name: 'privacy_budget_spends_amount_check',
      expression: `"epsilon"::numeric > 0 and "delta"::numeric >= 0`,
    },
  ],
  triggers: [appendOnlyTrigger('privacy_budget_spends')],
});

export class PrivacyBudgetSpend extends PrivacyBudgetSpendSchema.class {}
PrivacyBudgetSpendSchema.setClass(PrivacyBudgetSpend);
