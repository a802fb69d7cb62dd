import { Injectable } from '@nestjs/common';
import {
  CONSENTED_EVENTS,
  type MinedPattern,
  type MinerDp,
  type MiningWindow,
  PatternMinerBase,
  type ReleasedPattern,
} from '../pattern-miner';
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
 * DP mode: contiguous sequences only, each user counting towards at most L of theirs (chosen by rank), and the
 * confidence from the released supports: a sequence's share of the released sequences with the same context.
 */
@Injectable()
export class SequenceMiner extends PatternMinerBase('sequence', { supportsDp: true }) {
  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    if (window.dp) return this.mineBounded(window, window.dp);
    const patterns: MinedPattern[] = [];
    let module: string | undefined;
    let builder = new SessionDatabaseBuilder();
    await forEachSession(window, async (row) => {
      if (row.module !== module) {
        if (module !== undefined) patterns.push(...(await this.mineModule(module, builder.build(), window)));
        module = row.module;
        builder = new SessionDatabaseBuilder();
      }
      builder.add(row.user_id, row.actions);
    });
    if (module !== undefined) patterns.push(...(await this.mineModule(module, builder.build(), window)));
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
  /** DP mode: each user's distinct contiguous sequences, at most L of them counted, with no threshold. */
  private async mineBounded(window: MiningWindow, dp: MinerDp): Promise<MinedPattern[]> {
    const { maxSequenceLength, maxOccurrencesPerUser } = window.settings;
    const found = new Map<string, { module: string; actions: string[]; users: number; occurrences: number }>();
    let user: string | undefined;
    let module: string | undefined;
    let mine = new Map<string, { actions: string[]; n: number }>();
    const flush = () => {
      if (user === undefined || module === undefined) return;
      const owner = user;
      const ranked = [...mine.entries()]
        .map(([signature, seen]) => ({ signature, seen, rank: dp.rank(owner, `${module}|${signature}`) }))
        .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
        .slice(0, dp.maxPartitions);
      for (const { signature, seen } of ranked) {
        const key = `${module}\u0000${signature}`;
        const entry = found.get(key) ?? { module, actions: seen.actions, users: 0, occurrences: 0 };
        entry.users++;
        entry.occurrences += Math.min(seen.n, maxOccurrencesPerUser);
        found.set(key, entry);
      }
    };
    await forEachSession(window, (row) => {
      if (row.module !== module || row.user_id !== user) {
        flush();
        module = row.module;
        user = row.user_id;
        mine = new Map();
      }
      for (let start = 0; start < row.actions.length; start++)
        for (let length = 2; length <= maxSequenceLength && start + length <= row.actions.length; length++) {
          const actions = row.actions.slice(start, start + length);
          const signature = sequenceSignature(actions);
          const seen = mine.get(signature) ?? { actions, n: 0 };
          seen.n++;
          mine.set(signature, seen);
        }
    });
    flush();
    return [...found.values()].map((f) => ({
      module: f.module,
      signature: sequenceSignature(f.actions),
      items: { actions: f.actions },
      support: f.users,
      occurrences: f.occurrences,
    }));
  }

  /**
   * DP mode: confidence from the released supports alone — a sequence's support over the summed supports of the
   * released sequences that share its context (its actions but the last), published as `contextUsers`.
   */
  deriveFromReleased(released: ReleasedPattern[]): void {
    const context = (r: ReleasedPattern) =>
      `${r.module}\u0000${sequenceSignature((r.items.actions as string[]).slice(0, -1))}`;
    const totals = new Map<string, number>();
    for (const r of released) totals.set(context(r), (totals.get(context(r)) ?? 0) + r.support);
    for (const r of released) {
      const contextUsers = totals.get(context(r))!;
      r.counts = { contextUsers };
      r.confidence = r.support / contextUsers;
      r.stats = { length: (r.items.actions as string[]).length };
    }
  }
}

/**
 * The window's consented sessions (interactions with a session id), each with its actions in time order, ordered by
 * module and user, streamed from a server-side cursor in pages of FETCH_ROWS.
 */
async function forEachSession(
  window: MiningWindow,
  each: (row: { module: string; user_id: string; actions: string[] }) => void | Promise<void>,
): Promise<void> {
  await window.query(
    `DECLARE mining_sessions NO SCROLL CURSOR FOR
     SELECT module, user_id, array_agg(action ORDER BY timestamp, id) AS actions
       FROM ${CONSENTED_EVENTS} e
      WHERE session_id IS NOT NULL AND event_type = 'interaction'
      GROUP BY module, user_id, session_id
      ORDER BY module, user_id`,
    [window.from, window.to],
  );
  for (;;) {
    const rows = await window.query<{ module: string; user_id: string; actions: string[] }>(
      `FETCH ${FETCH_ROWS} FROM mining_sessions`,
    );
    for (const row of rows) await each(row);
    if (rows.length < FETCH_ROWS) break;
  }
  await window.query('CLOSE mining_sessions');
}
