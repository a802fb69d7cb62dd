import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { CONSENTED_EVENTS, type MinedPattern, type MiningWindow, type PatternMiner } from '../pattern-miner';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The signature of an action sequence: its actions joined by `>` (action names cannot contain it). */
export const sequenceSignature = (actions: readonly string[]) => actions.join('>');

/**
 * Frequent contiguous action sequences of length 2..MAX_SEQUENCE_LENGTH inside sessions, per module, all in SQL,
 * over interactions (what users did; rating, correcting or reporting is not an action of the sequence).
 * Events of one (user, session, module) are ordered by time; every run of consecutive actions is a candidate.
 * Support is the number of distinct users; occurrences count at most MINING_MAX_OCCURRENCES_PER_USER per user,
 * so one heavy user neither makes a pattern nor dominates its confidence. Confidence is the share of the
 * sequence among all sequences that start with the same context (its actions but the last): P(last | context),
 * which `POST /patterns/predict` uses.
 */
@Injectable()
export class SequenceMiner implements PatternMiner {
  readonly name = 'sequence';
  readonly patternType = 'sequence';

  constructor(private readonly config: AppConfig) {}

  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    const longest = this.config.patterns.maxSequenceLength;
    const leads = range(2, longest).map((i) => `lead(action, ${i - 1}) OVER w AS a${i}`).join(', ');
    // Sequences and their contexts as text keys (`a>b>c`; hashing text is cheaper than arrays).
    const joined = (n: number) => range(1, n).map((i) => `a${i}`).join(` || '>' || `);
    const grams = range(2, longest)
      .map((n) => `SELECT user_id, module, ${joined(n - 1)} AS context, ${joined(n)} AS g FROM steps WHERE a${n} IS NOT NULL`)
      .join(' UNION ALL ');
    const rows = await window.query<{ module: string; g: string; support: number; occurrences: string; confidence: number }>(
      `WITH steps AS (
         SELECT user_id, module, action AS a1, ${leads}
           FROM ${CONSENTED_EVENTS} e
          WHERE session_id IS NOT NULL AND event_type = 'interaction'
         WINDOW w AS (PARTITION BY user_id, session_id, module ORDER BY timestamp, id)
       ), grams AS (${grams}),
       per_user AS (SELECT module, context, g, least(count(*), $4) AS n FROM grams GROUP BY module, context, g, user_id),
       counted AS (SELECT module, context, g, count(*)::int AS support, sum(n)::bigint AS occurrences FROM per_user GROUP BY module, context, g),
       contexts AS (SELECT module, context, sum(occurrences) AS total FROM counted GROUP BY module, context)
       SELECT c.module, c.g, c.support, c.occurrences, c.occurrences::float8 / x.total AS confidence
         FROM counted c JOIN contexts x USING (module, context)
        WHERE c.support >= $3`,
      [window.from, window.to, window.minUserSupport, this.config.patterns.maxOccurrencesPerUser],
    );
    return rows.map((r) => {
      const actions = r.g.split('>');
      return { module: r.module, signature: r.g, items: { actions }, support: r.support, occurrences: Number(r.occurrences), confidence: r.confidence, stats: { length: actions.length } };
    });
  }
}
