import { Injectable } from '@nestjs/common';
import { normalizeForIndex } from '../../crypto/normalize';
import { ExampleReader } from '../example-reader';
import { CONSENTED_EVENTS, type MinedPattern, type MiningWindow, type PatternMiner } from '../pattern-miner';

/** Reports decrypted per confirmed pattern (one per distinct reporter) to find the items they agree on. */
const SAMPLE = 100;

/**
 * Pattern discoveries reported by clients, confirmed once MIN_USER_SUPPORT distinct users reported the same
 * (pattern type, signature) in a module — matched by blind index. What is published is shared by k users: the
 * normalized type and signature, and only those items that at least k of the sampled reporters listed.
 */
@Injectable()
export class ReportedMiner implements PatternMiner {
  readonly name = 'reported';
  readonly patternType = 'reported';

  constructor(private readonly examples: ExampleReader) {}

  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    const rows = await window.query<{
      module: string;
      signature: string;
      support: number;
      occurrences: string;
      examples: string[];
    }>(
      `WITH reports AS (
         SELECT module, signature, user_id, count(*) AS n, min(id::text)::uuid AS first_id
           FROM ${CONSENTED_EVENTS} e
          WHERE event_type = 'pattern_discovery' AND signature IS NOT NULL
          GROUP BY module, signature, user_id
       )
       SELECT module, signature, count(*)::int AS support, sum(n)::bigint AS occurrences, (array_agg(first_id ORDER BY first_id))[1:${SAMPLE}] AS examples
         FROM reports
        GROUP BY module, signature
       HAVING count(*) >= $3`,
      [window.from, window.to, window.minUserSupport],
    );
    const data = await this.examples.read(
      window,
      rows.flatMap((r) => r.examples),
    );
    const out: MinedPattern[] = [];
    for (const r of rows) {
      const reports = r.examples
        .map((id) => data.get(id))
        .filter(
          (d): d is Record<string, unknown> => typeof d?.patternType === 'string' && typeof d.signature === 'string',
        );
      if (reports.length === 0) continue;
      const listedBy = new Map<string, number>();
      for (const report of reports) {
        const items = new Set(
          (Array.isArray(report.items) ? report.items : [])
            .filter((i): i is string => typeof i === 'string')
            .map(normalizeForIndex),
        );
        for (const item of items) listedBy.set(item, (listedBy.get(item) ?? 0) + 1);
      }
      out.push({
        module: r.module,
        signature: r.signature,
        items: {
          patternType: normalizeForIndex(reports[0].patternType as string),
          signature: normalizeForIndex(reports[0].signature as string),
          items: [...listedBy]
            .filter(([, n]) => n >= window.minUserSupport)
            .map(([item]) => item)
            .sort(),
        },
        support: r.support,
        occurrences: Number(r.occurrences),
        stats: { sampledReports: reports.length },
      });
    }
    return out;
  }
}
