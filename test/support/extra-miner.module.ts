import { Injectable, Module } from '@nestjs/common';
import {
  patternMiner,
  type MinedPattern,
  type MiningWindow,
  PatternMinerBase,
  CONSENTED_EVENTS,
} from '../../src/modules/patterns/pattern-miner';
import { PluginControl } from './gate';

/**
 * A team's own miner in a module of its own: it counts, per module, the users who sent an interaction with the
 * label `channel` set, and publishes one `extra` pattern per channel value. Registered by listing
 * `patternMiner(ChannelMiner)` in its module's providers; the patterns module is not edited.
 * Tests can hold it (`gate`) to keep a run in progress, or make it fail.
 */
@Injectable()
export class ChannelMiner extends PatternMinerBase('channel', { patternType: 'extra' }) {
  /** Mode `poison`: also returns a pattern whose text PostgreSQL's jsonb refuses (NUL), as a buggy miner might. */
  static readonly control = new PluginControl<'poison'>('channel miner');

  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    await ChannelMiner.control.enter();
    const rows = await window.query<{ module: string; channel: string; support: number; occurrences: string }>(
      `SELECT module, labels->>'channel' AS channel, count(DISTINCT user_id)::int AS support, count(*)::bigint AS occurrences
         FROM ${CONSENTED_EVENTS} e
        WHERE labels ? 'channel'
        GROUP BY module, labels->>'channel'
       HAVING count(DISTINCT user_id) >= $3`,
      [window.from, window.to, window.minUserSupport],
    );
    const found = rows.map((r) => ({
      module: r.module,
      signature: r.channel,
      items: { channel: r.channel },
      support: r.support,
      occurrences: Number(r.occurrences),
    }));
    if (ChannelMiner.control.mode === 'poison' && found.length > 0)
      found.push({ ...found[0], signature: 'poison', items: { channel: 'nul\u0000here' } });
    return found;
  }
}

@Module({ providers: [patternMiner(ChannelMiner)] })
export class ExtraMinerModule {}

/** An interaction labelled with `channel` (optionally at `timestamp`): what ChannelMiner counts in `module`. */
export function channelVisit(
  userId: string,
  module: string,
  channel: string,
  timestamp?: string,
): Record<string, unknown> {
  return {
    userId,
    eventType: 'interaction',
    context: { module, action: 'visit', channel },
    data: {},
    ...(timestamp ? { timestamp } : {}),
  };
}
