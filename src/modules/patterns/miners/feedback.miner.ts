import { Injectable } from '@nestjs/common';
import { smallCell } from '../../disclosure/mechanisms/small-cells';
import {
  CONSENTED_EVENTS,
  type MinedPattern,
  type MiningWindow,
  PatternMinerBase,
  type ReleasedPattern,
} from '../pattern-miner';
import { wilsonLowerBound } from '../statistics';

/**
 * Satisfaction per module and action from feedback events: ratings (1-5) and sentiments. A rating of 4-5 or a
 * positive sentiment is a positive feedback, 1-2 or negative a negative one, 3 neither. Every figure counts users,
 * each once: a user is positive about the action when more of their feedback on it was positive than negative,
 * negative in the opposite case, neither on a tie — so one prolific user cannot swing an action's score. Confidence
 * is the Wilson lower bound (95 %) of the positive users' share. The raters who gave a numeric rating, and their mean
 * rating (each user's own mean, averaged over users), appear when publishing their count shows no small cell.
 * DP mode: each user counts towards at most L actions, and the shares come from the noised counts (no mean rating).
 */
@Injectable()
export class FeedbackMiner extends PatternMinerBase('feedback', { supportsDp: true }) {
  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    const rows = await window.query<{
      module: string;
      action: string;
      support: number;
      occurrences: string;
      positive: number;
      negative: number;
      raters: number;
      mean_rating: number | null;
    }>(
      `WITH per_user AS (
         SELECT module, action, user_id, least(count(*), $4) AS n,
                count(*) FILTER (WHERE rating >= 4 OR sentiment = 'positive') AS positive,
                count(*) FILTER (WHERE rating <= 2 OR sentiment = 'negative') AS negative,
                avg(rating) AS mean_rating
           FROM ${CONSENTED_EVENTS} e
          WHERE event_type = 'feedback'
          GROUP BY module, action, user_id
       )
       SELECT module, action, count(*)::int AS support, sum(n)::bigint AS occurrences,
              count(*) FILTER (WHERE positive > negative)::int AS positive,
              count(*) FILTER (WHERE negative > positive)::int AS negative,
              count(mean_rating)::int AS raters, avg(mean_rating)::float8 AS mean_rating
         FROM ${window.dp ? window.dp.bounded('per_user', "module || '|' || action") : 'per_user'} u
        GROUP BY module, action
       HAVING count(*) >= $3`,
      [window.from, window.to, window.minUserSupport, window.settings.maxOccurrencesPerUser],
    );
    return rows.map((r) => {
      const neither = r.support - r.positive - r.negative;
      const showRaters =
        window.dp === null &&
        r.mean_rating !== null &&
        smallCell([r.support, r.positive, r.negative, r.raters], window.minUserSupport, [neither]) === null;
      const wilson = wilsonLowerBound(r.positive, r.support);
      return {
        module: r.module,
        signature: r.action,
        items: { action: r.action },
        support: r.support,
        occurrences: Number(r.occurrences),
        counts: { positive: r.positive, negative: r.negative, ...(showRaters ? { raters: r.raters } : {}) },
        derived: [neither],
        confidence: wilson,
        stats: {
          positiveShare: round(r.positive / r.support),
          wilsonLower: round(wilson),
          ...(showRaters ? { meanRating: round(r.mean_rating!) } : {}),
        },
      };
    });
  }

  /** DP mode: the share and its Wilson bound from the noised counts. */
  deriveFromReleased(released: ReleasedPattern[]): void {
    for (const r of released) {
      const positive = Math.min(r.counts.positive ?? 0, r.support);
      const wilson = wilsonLowerBound(positive, r.support);
      r.confidence = wilson;
      r.stats = { positiveShare: round(positive / r.support), wilsonLower: round(wilson) };
    }
  }
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
