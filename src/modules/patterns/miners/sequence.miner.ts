import { Injectable } from '@nestjs/common';
import { CONSENTED_EVENTS, type MinedPattern, type MiningWindow, type PatternMiner } from '../pattern-miner';
import { mineGappedSequences, TooManySequencesError } from './prefix-span';
import { SessionDatabaseBuilder, type SessionDatabase } from './session-database';

/** The signature of a contiguous action sequence: its actions joined by `>` (action names cannot contain it). */
export const sequenceSignature = (actions: readonly string[]) => actions.join('>');
/** Signatures of gapped sequences: `gapped:a>b>c`, apart from the contiguous `a>b>c` of the same actions. */
export const GAPPED_PREFIX = 'gapped:';
/** Sequences of one kind (contiguous or gapped) one module may publish before the miner reports its settings. */
export const MAX_SEQUENCES_PER_MODULE = 50_000;
const FETCH_ROWS = 2000;

/**
 * Frequent action sequences inside sessions, per module, over interactions (what users did; rating, correcting
 * or reporting is not an action of a sequence), length 2..MAX_SEQUENCE_LENGTH:
 *  - contiguous (`a>b>c`: one right after the other), published at k users;
 *  - gapped (`gapped:a>b>c`: at most MAX_SEQUENCE_GAP other actions between two consecutive ones), published at
 *    k users and MINING_GAPPED_MIN_SHARE of the module's users (there are far more of them).
 * SQL selects the window's consented interactions and builds each session's actions in time order; the sessions
 * stream from a server-side cursor one module at a time into a SessionDatabase (about 4 bytes per event), which
 * PrefixSpan (`prefix-span.ts`) mines twice, with gap 0 and with the gap. Support counts distinct users;
 * occurrences count positions where the sequence ends, at most MINING_MAX_OCCURRENCES_PER_USER per user, so one
 * heavy user neither makes a pattern nor dominates it. Confidence counts users too: of the users who did anything
 * right after the sequence's context (its actions but the last; `stats.contextUsers`), the share who did its last
 * action — P(last | context) per user, which `POST /patterns/predict` uses (contiguous sequences only).
 */
@Injectable()
export class SequenceMiner implements PatternMiner {
  readonly name = 'sequence';
  readonly patternType = 'sequence';

  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    const patterns: MinedPattern[] = [];
    await window.query(
      `DECLARE mining_sessions NO SCROLL CURSOR FOR
       SELECT module, user_id, array_agg(action ORDER BY timestamp, id) AS actions
         FROM ${CONSENTED_EVENTS} e
        WHERE session_id IS NOT NULL AND event_type = 'interaction'
        GROUP BY module, user_id, session_id
        ORDER BY module, user_id`,
      [window.from, window.to],
    );
    let module: string | undefined;
    let builder = new SessionDatabaseBuilder();
    for (;;) {
      const rows = await window.query<{ module: string; user_id: string; actions: string[] }>(
        `FETCH ${FETCH_ROWS} FROM mining_sessions`,
      );
      for (const row of rows) {
        if (row.module !== module) {
          if (module !== undefined) patterns.push(...(await this.mineModule(module, builder.build(), window)));
          module = row.module;
          builder = new SessionDatabaseBuilder();
        }
        builder.add(row.user_id, row.actions);
      }
      if (rows.length < FETCH_ROWS) break;
    }
    if (module !== undefined) patterns.push(...(await this.mineModule(module, builder.build(), window)));
    await window.query('CLOSE mining_sessions');
    return patterns;
  }

  private async mineModule(module: string, db: SessionDatabase, window: MiningWindow): Promise<MinedPattern[]> {
    const { maxSequenceGap, gappedMinShare } = window.settings;
    const contiguous = await this.sequences(module, db, 0, window.minUserSupport, window.settings);
    if (maxSequenceGap === 0) return contiguous;
    const gappedSupport = Math.max(window.minUserSupport, Math.ceil(gappedMinShare * db.userCount));
    return [...contiguous, ...(await this.sequences(module, db, maxSequenceGap, gappedSupport, window.settings))];
  }

  private async sequences(
    module: string,
    db: SessionDatabase,
    maxGap: number,
    minSupport: number,
    settings: MiningWindow['settings'],
  ): Promise<MinedPattern[]> {
    const { maxSequenceLength, maxOccurrencesPerUser } = settings;
    try {
      const found = await mineGappedSequences(db, {
        minSupport,
        maxGap,
        minLength: 2,
        maxLength: maxSequenceLength,
        maxOccurrencesPerUser,
        maxResults: MAX_SEQUENCES_PER_MODULE,
      });
      return found.map((f) => {
        const actions = f.codes.map((code) => db.names[code]);
        const counts = { contextUsers: f.continuationUsers };
        const confidence = f.support / f.continuationUsers;
        const stats = { length: actions.length };
        return maxGap === 0
          ? {
              module,
              signature: sequenceSignature(actions),
              items: { actions },
              support: f.support,
              occurrences: f.occurrences,
              counts,
              confidence,
              stats,
            }
          : {
              module,
              signature: GAPPED_PREFIX + sequenceSignature(actions),
              items: { actions, gapped: true, maxGap },
              support: f.support,
              occurrences: f.occurrences,
              counts,
              confidence,
              stats: { ...stats, minSupport },
            };
      });
    } catch (error) {
      if (!(error instanceof TooManySequencesError)) throw error;
      const kind = maxGap === 0 ? 'contiguous' : 'gapped';
      throw new Error(
        `module ${module}: more than ${error.limit} ${kind} sequences reach ${minSupport} of ${db.userCount} users; raise ${maxGap === 0 ? 'MIN_USER_SUPPORT' : 'MINING_GAPPED_MIN_SHARE or lower MAX_SEQUENCE_GAP'}, or shorten MAX_SEQUENCE_LENGTH`,
        { cause: error },
      );
    }
  }
}
