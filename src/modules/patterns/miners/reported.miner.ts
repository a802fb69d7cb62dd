import { Injectable } from '@nestjs/common';
import { normalizeForIndex } from '../../crypto/normalize';
import type { MiningWindow } from '../pattern-miner';
import { SignatureGroupMiner, type GroupDescription, type SignatureGroup } from '../signature-groups';

/** Reports decrypted per confirmed pattern (one per distinct reporter) to find the items they agree on. */
const SAMPLE = 100;

/**
 * Pattern discoveries reported by clients, confirmed once MIN_USER_SUPPORT distinct users reported the same
 * (pattern type, signature) in a module — matched by blind index. What is published is shared by k users: the
 * normalized type and signature, and only those items that at least k of the sampled reporters listed. In DP mode
 * each user counts towards at most L reported patterns and no items are published (their counts would be releases
 * of their own).
 */
@Injectable()
export class ReportedMiner extends SignatureGroupMiner('reported', { eventType: 'pattern_discovery', sample: SAMPLE }) {
  protected describe(group: SignatureGroup, window: MiningWindow): GroupDescription {
    const reports = group.examples.filter((d) => typeof d.patternType === 'string' && typeof d.signature === 'string');
    if (reports.length === 0) return undefined;
    const listedBy = new Map<string, number>();
    for (const report of reports) {
      const items = new Set(
        (Array.isArray(report.items) ? report.items : [])
          .filter((i): i is string => typeof i === 'string')
          .map(normalizeForIndex),
      );
      for (const item of items) listedBy.set(item, (listedBy.get(item) ?? 0) + 1);
    }
    return {
      items: {
        patternType: normalizeForIndex(reports[0].patternType as string),
        signature: normalizeForIndex(reports[0].signature as string),
        items: window.dp
          ? []
          : [...listedBy]
              .filter(([, n]) => n >= window.minUserSupport)
              .map(([item]) => item)
              .sort(),
      },
      ...(window.dp ? {} : { counts: { sampledReports: reports.length } }),
    };
  }
}
