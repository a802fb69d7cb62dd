import { Injectable } from '@nestjs/common';
import { CONSENTED_EVENTS, type MinedPattern, type MiningWindow, type PatternMiner } from '../pattern-miner';
import { wilsonLowerBound } from '../statistics';

/**
 * Satisfaction per module and action from feedback events: ratings (1-5) and sentiments. A rating of 4-5 or a
 * positive sentiment counts as positive, 1-2 or negative as negative, 3 as neither. Each user's feedback counts
 * at most MINING_MAX_OCCURRENCES_PER_USER times (a user's share is scaled down, keeping their mix), so one
 * prolific user cannot swing an action's score. Confidence is the Wilson lower bound (95 %) of the positive share.
 * The mean rating appears only when at least k of the users gave a numeric rating.
 */
@Injectable()
export class FeedbackMiner implements PatternMiner {
  readonly name = 'feedback';
  readonly patternType = 'feedback';

  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    const rows = await window.query<{
      module: string;
      action: string;
      support: number;
      raters: number;
      occurrences: string;
      weight: number;
      positive: number;
      negative: number;
      ratings: number;
      rating_sum: number;
    }>(
      `WITH per_user AS (
         SELECT module, action, user_id, count(*) AS n,
                count(*) FILTER (WHERE rating >= 4 OR sentiment = 'positive') AS positive,
                count(*) FILTER (WHERE rating <= 2 OR sentiment = 'negative') AS negative,
                count(rating) AS ratings, coalesce(sum(rating), 0) AS rating_sum
           FROM ${CONSENTED_EVENTS} e
          WHERE event_type = 'feedback'
          GROUP BY module, action, user_id
       ), scaled AS (
         SELECT *, least(n, $4)::float8 / n AS f FROM per_user
       )
       SELECT module, action, count(*)::int AS support, (count(*) FILTER (WHERE ratings > 0))::int AS raters, sum(n)::bigint AS occurrences, sum(n * f) AS weight,
              sum(positive * f) AS positive, sum(negative * f) AS negative, sum(ratings * f) AS ratings, sum(rating_sum * f) AS rating_sum
         FROM scaled
        GROUP BY module, action
       HAVING count(*) >= $3`,
      [window.from, window.to, window.minUserSupport, window.settings.maxOccurrencesPerUser],
    );
    return rows.map((r) => {
      const positiveShare = r.weight > 0 ? r.positive / r.weight : 0;
      const wilson = wilsonLowerBound(r.positive, r.weight);
      return {
        module: r.module,
        signature: r.action,
        items: { action: r.action },
        support: r.support,
        occurrences: Number(r.occurrences),
        confidence: wilson,
        stats: {
          weightedCount: round(r.weight),
          positive: round(r.positive),
          negative: round(r.negative),
          positiveShare: round(positiveShare),
          wilsonLower: round(wilson),
          // The mean rating is its own figure: published only when k users gave a rating (not just a sentiment).
          ...(r.raters >= window.minUserSupport
            ? { meanRating: round(r.rating_sum / r.ratings), ratings: round(r.ratings) }
            : {}),
        },
      };
    });
  }
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
