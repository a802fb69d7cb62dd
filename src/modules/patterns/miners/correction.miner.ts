import { Injectable } from '@nestjs/common';
import { unsafeTextReason } from '../../../common/text/safe-text';
import { normalizeForIndex } from '../../crypto/normalize';
import { ExampleReader } from '../example-reader';
import { CONSENTED_EVENTS, type MinedPattern, type MiningWindow, type PatternMiner } from '../pattern-miner';

/** Example events decrypted per qualifying correction, in case the first ones are unreadable (being erased). */
const EXAMPLES = 3;

/**
 * The same normalized correction (original → corrected) made by many users, matched by its blind-index
 * signature, per module. Only corrections that MIN_USER_SUPPORT users made are decrypted (the first readable of up
 * to three examples), and published in the normalized form the signature was computed over — the text k users share.
 */
@Injectable()
export class CorrectionMiner implements PatternMiner {
  readonly name = 'correction';
  readonly patternType = 'correction';

  constructor(private readonly examples: ExampleReader) {}

  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    const rows = await window.query<{
      module: string;
      signature: string;
      support: number;
      occurrences: string;
      examples: string[];
    }>(
      `SELECT module, signature, count(DISTINCT user_id)::int AS support, count(*)::bigint AS occurrences,
              (array_agg(id ORDER BY id))[1:${EXAMPLES}] AS examples
         FROM ${CONSENTED_EVENTS} e
        WHERE event_type = 'correction' AND signature IS NOT NULL
        GROUP BY module, signature
       HAVING count(DISTINCT user_id) >= $3`,
      [window.from, window.to, window.minUserSupport],
    );
    const data = await this.examples.read(
      window,
      rows.flatMap((r) => r.examples),
    );
    const out: MinedPattern[] = [];
    for (const r of rows) {
      const example = r.examples
        .map((id) => data.get(id))
        .find((d) => isSafeText(d?.original) && isSafeText(d?.corrected));
      if (!example) continue; // no readable (or acceptable) example this run
      out.push({
        module: r.module,
        signature: r.signature,
        items: {
          original: normalizeForIndex(example.original as string),
          corrected: normalizeForIndex(example.corrected as string),
        },
        support: r.support,
        occurrences: Number(r.occurrences),
      });
    }
    return out;
  }
}

/** Stored before the ingest refused such text, a correction may hold what no pattern should publish. */
const isSafeText = (v: unknown): v is string => typeof v === 'string' && unsafeTextReason(v) === null;
