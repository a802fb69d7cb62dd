import { Injectable, Module } from '@nestjs/common';
import { CONSENTED_EVENTS } from '../../src/modules/patterns/pattern-miner';
import {
  insightGenerator,
  type GeneratedInsight,
  type GenerationContext,
  InsightGeneratorBase,
} from '../../src/modules/insights/insight-generator';
import { PluginControl } from './gate';

/**
 * A team's own insight generator in a module of its own: per module, how many users came through a labelled
 * channel in the period (`extra` insights). Registered by listing `insightGenerator(ChannelReachGenerator)` in its
 * module's providers; the insights module is not edited. Tests can hold it (`gate`) to keep a run in progress.
 */
@Injectable()
export class ChannelReachGenerator extends InsightGeneratorBase('channel_reach', { insightType: 'extra' }) {
  /** Mode `leak`: also shows a count of 1 in the evidence (the run must refuse the insight). */
  static readonly control = new PluginControl<'leak'>('channel reach');

  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    await ChannelReachGenerator.control.enter();
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
          aggregate: { users: r.users, ...(ChannelReachGenerator.control.mode === 'leak' ? { oneUser: 1 } : {}) },
        },
      }));
  }
}

@Module({ providers: [insightGenerator(ChannelReachGenerator)] })
export class ExtraGeneratorModule {}
