import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { PrivacyBudgetSpend, type BudgetRunKind } from './entities/privacy-budget-spend.entity';

const DAY_MS = 86_400_000;
/** Sums of doubles drift in the last bits: a spend that fits exactly must not be refused for it. */
const TOLERANCE = 1e-9;

export interface BudgetStatus {
  periodDays: number;
  epsilon: { total: number; spent: number; remaining: number };
  delta: { total: number; spent: number; remaining: number };
  /** When the oldest spend of the period leaves it and gives its share back; null when nothing is spent. */
  nextRefillAt: string | null;
}

export type BudgetDecision = { granted: true } | { granted: false; reason: string };

/**
 * The privacy budget: every run that publishes under differential privacy spends (ε, δ), and all spends of any
 * rolling PRIVACY_BUDGET_DAYS together stay within PRIVACY_BUDGET_EPSILON and PRIVACY_BUDGET_DELTA (basic
 * composition). A spend is one append-only ledger row, decided and written under one transaction-level advisory lock,
 * so two instances never both take the last of the budget; each decision is audited. Nothing gives budget back
 * before its period ends — an erasure least of all: what was published stays published.
 */
@Injectable()
export class PrivacyBudget {
  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Spends (ε, δ) for a run, or refuses (and says why) when the period's budget would be exceeded. */
  async spend(runKind: BudgetRunKind, runId: string, epsilon: number, delta: number): Promise<BudgetDecision> {
    return this.em.fork().transactional(async (tx) => {
      await tx
        .getConnection()
        .execute(
          `SELECT pg_advisory_xact_lock(hashtextextended('privacy-budget', 0))`,
          [],
          'run',
          tx.getTransactionContext(),
        );
      const status = await this.statusIn(tx);
      const fits =
        epsilon <= status.epsilon.remaining + TOLERANCE && delta <= status.delta.remaining + TOLERANCE * delta;
      const entry = { actor: 'system', actorType: 'system', target: runId } as const;
      if (!fits) {
        const reason = `the privacy budget of the last ${status.periodDays} days has ε ${round(status.epsilon.remaining)} and δ ${status.delta.remaining.toExponential(2)} left; this run needs ε ${epsilon} and δ ${delta.toExponential(2)}`;
        await this.audit.recordIn(tx, {
          ...entry,
          action: 'privacy.budget_refused',
          outcome: 'denied',
          details: { runKind, epsilon, delta, remainingEpsilon: status.epsilon.remaining },
        });
        return { granted: false, reason };
      }
      tx.create(PrivacyBudgetSpend, { runKind, runId, epsilon, delta });
      await this.audit.recordIn(tx, {
        ...entry,
        action: 'privacy.budget_spent',
        outcome: 'success',
        details: { runKind, epsilon, delta },
      });
      return { granted: true };
    });
  }

  /**
   * Spends what one DP run costs (DP_EPSILON, DP_DELTA) before it publishes anything; the reason it may not, or null
   * when the budget paid. A refused run publishes nothing new: the previous release stays.
   */
  async spendRun(runKind: BudgetRunKind, runId: string): Promise<string | null> {
    const { dpEpsilon, dpDelta } = this.config.privacy;
    if (dpEpsilon === null) throw new Error('not in DP mode');
    const decision = await this.spend(runKind, runId, dpEpsilon, dpDelta);
    return decision.granted ? null : `Published nothing: ${decision.reason}`;
  }

  async status(): Promise<BudgetStatus> {
    return this.statusIn(this.em.fork());
  }

  private async statusIn(em: EntityManager): Promise<BudgetStatus> {
    const { budgetEpsilon, budgetDelta, budgetDays } = this.config.privacy;
    const since = new Date(Date.now() - budgetDays * DAY_MS);
    const [sums] = await em
      .getConnection()
      .execute<{ epsilon: number | null; delta: number | null; oldest: Date | string | null }[]>(
        `SELECT sum(epsilon)::float8 AS epsilon, sum(delta)::float8 AS delta, min(spent_at) AS oldest
           FROM privacy_budget_spends WHERE spent_at > ?`,
        [since],
        'all',
        em.getTransactionContext(),
      );
    const spentEpsilon = sums?.epsilon ?? 0;
    const spentDelta = sums?.delta ?? 0;
    return {
      periodDays: budgetDays,
      epsilon: { total: budgetEpsilon, spent: spentEpsilon, remaining: Math.max(0, budgetEpsilon - spentEpsilon) },
      delta: { total: budgetDelta, spent: spentDelta, remaining: Math.max(0, budgetDelta - spentDelta) },
      nextRefillAt: sums?.oldest ? new Date(new Date(sums.oldest).getTime() + budgetDays * DAY_MS).toISOString() : null,
    };
  }
}

const round = (value: number) => Math.round(value * 1000) / 1000;
