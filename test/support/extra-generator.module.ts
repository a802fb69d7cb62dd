import { Injectable, Module } from '@nestjs/common';
import { CONSENTED_EVENTS } from '../../src/modules/patterns/pattern-miner';
import {
  insightGenerator,
  type GeneratedInsight,
  type GenerationContext,
  type InsightGenerator,
} from '../../src/modules/insights/insight-generator';

/**
 * A team's own insight generator in a module of its own: per module, how many users came through a labelled
 * channel in the period (`extra` insights). Registered by listing `insightGenerator(ChannelReachGenerator)` in its
 * module's providers; the insights module is not edited. Tests can hold it (`block`) to keep a run in progress.
 */
@Injectable()
export class ChannelReachGenerator implements InsightGenerator {
  readonly name = 'channel_reach';
  readonly insightType = 'extra';

  /** `leak`: also shows a count of 1 in the evidence (the run must refuse the insight); `fail`: throws. */
  static mode: 'ok' | 'leak' | 'fail' = 'ok';
  private static gate: Promise<void> | null = null;
  private static open: (() => void) | null = null;
  static entered: Promise<void> = Promise.resolve();
  private static enteredResolve: (() => void) | null = null;

  static block(): void {
    ChannelReachGenerator.gate = new Promise((resolve) => (ChannelReachGenerator.open = resolve));
    ChannelReachGenerator.entered = new Promise((resolve) => (ChannelReachGenerator.enteredResolve = resolve));
  }

  static release(): void {
    ChannelReachGenerator.open?.();
    ChannelReachGenerator.gate = null;
  }

  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    ChannelReachGenerator.enteredResolve?.();
    if (ChannelReachGenerator.gate) await ChannelReachGenerator.gate;
    if (ChannelReachGenerator.mode === 'fail') throw new Error('channel reach failed on purpose');
    const rows = await context.query<{ module: string; users: number }>(
      `SELECT module, count(DISTINCT user_id)::int AS users FROM ${CONSENTED_EVENTS} e WHERE labels ? 'channel' GROUP BY module`,
      [context.period.from, context.period.to],
    );
    return rows
      .map((r) => ({ ...r, users: context.count(`extra|${r.module}|users`, r.users) }))
      .filter((r) => r.users >= context.minUserSupport)
      .map((r) => ({
        module: r.module,
        key: 'channel_reach',
        title: `${r.users} users of ${r.module} came through a channel`,
        metric: 'channel_users',
        value: r.users,
        significance: 1,
        support: r.users,
        evidence: {
          patternIds: [],
          aggregate: { users: r.users, ...(ChannelReachGenerator.mode === 'leak' ? { oneUser: 1 } : {}) },
        },
      }));
  }
}

@Module({ providers: [insightGenerator(ChannelReachGenerator)] })
export class ExtraGeneratorModule {}
