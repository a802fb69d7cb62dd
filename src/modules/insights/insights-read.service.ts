import { Injectable } from '@nestjs/common';
import { ForbiddenRoleError } from '../../common/auth/forbidden-role.error';
import { isUuid } from '../../common/ids/uuid';
import { listRequest } from '../../common/pagination/keyset-page';
import { PatternNotFoundError } from '../patterns/patterns.errors';
import type { PatternDto } from '../patterns/dto/pattern.dto';
import { PatternsReadService } from '../patterns/patterns-read.service';
import type { InsightStatus } from './entities/collective-insight.entity';
import { InsightRuns } from './insight-runs';
import { InsightsCache } from './insights-cache.service';
import { InsightNotFoundError } from './insights.errors';
import { InsightsRepository, type StoredInsight } from './insights.repository';
import { isoTime } from '../../common/time/iso';

export interface InsightQuery {
  type?: string;
  module?: string;
  since?: Date;
  minSignificance?: number;
  status: InsightStatus;
  cursor?: string;
  limit: number;
}

/** Insight and run reads with keyset cursors, through the insight cache. */
@Injectable()
export class InsightsReadService {
  constructor(
    private readonly insights: InsightsRepository,
    private readonly runs: InsightRuns,
    private readonly cache: InsightsCache,
    private readonly patterns: PatternsReadService,
  ) {}

  /**
   * One page as its JSON text, from the cache (`EpochCache.pageJson`). Withdrawn insights only for `history` (admins):
   * they are history for operators, their figures may predate withdrawals and erasures.
   */
  async listJson(query: InsightQuery, history = false): Promise<string> {
    if (query.status !== 'active' && !history) throw new ForbiddenRoleError();
    return this.cache.pageJson(
      listRequest(query, {
        isPosition: validPosition,
        fetch: (after, limit) => this.insights.page({ ...query, after }, limit),
        positionOf: (row) => [row.significance, row.id] as [number, string],
      }),
      toInsightView,
    );
  }

  /**
   * One insight with the evidence patterns that are still published; withdrawn or expired ones only for `history`
   * (admins), who also see the ids of evidence patterns retired since.
   */
  async get(id: string, history = false): Promise<ReturnType<typeof toInsightView> & { patterns: PatternDto[] }> {
    const view = await this.cache.read(`get:${id}`, async () => {
      const row = await this.insights.byId(id);
      return row ? toInsightView(row) : false;
    });
    if (!view || (!history && (view.status !== 'active' || Date.parse(view.expiresAt) <= Date.now())))
      throw new InsightNotFoundError();
    const patterns: PatternDto[] = [];
    for (const patternId of view.evidence.patternIds) {
      try {
        const pattern = await this.patterns.get(patternId);
        if (pattern.status === 'active') patterns.push(pattern);
      } catch (error) {
        if (!(error instanceof PatternNotFoundError)) throw error;
      }
    }
    // A non-admin is never led to a retired pattern: the evidence names only the patterns still published.
    if (history) return { ...view, patterns };
    return { ...view, evidence: { ...view.evidence, patternIds: patterns.map((p) => p.id) }, patterns };
  }

  listRuns(limit: number, cursor?: string) {
    return this.runs.views(limit, cursor);
  }
}

/** Cursors are not signed: a crafted one must still be a significance and an id, or it is refused (400). */
function validPosition(position: unknown): position is [number, string] {
  return (
    Array.isArray(position) &&
    position.length === 2 &&
    typeof position[0] === 'number' &&
    position[0] >= 0 &&
    position[0] <= 1 &&
    typeof position[1] === 'string' &&
    isUuid(position[1])
  );
}

export function toInsightView(row: StoredInsight) {
  return {
    id: row.id,
    type: row.insight_type,
    module: row.module,
    key: row.key,
    title: row.title,
    metric: row.metric,
    value: row.value,
    baseline: row.baseline,
    change: row.change,
    significance: row.significance,
    support: row.support,
    periodFrom: isoTime(row.period_from),
    periodTo: isoTime(row.period_to),
    evidence: row.evidence,
    stats: row.stats,
    noised: row.noised,
    status: row.status,
    generatedAt: isoTime(row.updated_at),
    expiresAt: isoTime(row.expires_at),
    runId: row.run_id,
  };
}
