import { Injectable } from '@nestjs/common';
import { InvalidCursorError } from '../../common/errors/domain.error';
import { isUuid } from '../../common/ids/uuid';
import { decodeCursor, encodeCursor } from '../../common/pagination/cursor';
import { PatternNotFoundError } from '../patterns/patterns.errors';
import { PatternsReadService, type PatternView } from '../patterns/patterns-read.service';
import type { InsightStatus } from './entities/collective-insight.entity';
import { InsightRuns, type StoredInsightRun } from './insight-runs';
import { InsightsCache } from './insights-cache.service';
import { InsightNotFoundError } from './insights.errors';
import { InsightsRepository, type StoredInsight } from './insights.repository';

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

  /** One page as its JSON text, cached as text (sent as is on a hit; see `PatternsReadService.listJson`). */
  async listJson(query: InsightQuery): Promise<string> {
    const filters = {
      type: query.type,
      module: query.module,
      since: query.since?.toISOString(),
      minSignificance: query.minSignificance,
      status: query.status,
    };
    let after: [number, string] | undefined;
    if (query.cursor) {
      const position = decodeCursor<[number, string]>(query.cursor, filters);
      if (!validPosition(position)) throw new InvalidCursorError();
      after = position;
    }
    const key = `list:${JSON.stringify([filters, query.cursor ?? null, query.limit])}`;
    return this.cache.read(key, async () => {
      const rows = await this.insights.page({ ...filters, after }, query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const nextCursor = rows.length > query.limit && last ? encodeCursor([last.significance, last.id], filters) : null;
      return JSON.stringify({ items: page.map(toInsightView), nextCursor });
    });
  }

  /** One insight with the evidence patterns that are still published; withdrawn or expired ones only for `history`. */
  async get(id: string, history = false): Promise<ReturnType<typeof toInsightView> & { patterns: PatternView[] }> {
    const view = await this.cache.read(`get:${id}`, async () => {
      const row = await this.insights.byId(id);
      return row ? toInsightView(row) : false;
    });
    if (!view || (!history && (view.status !== 'active' || Date.parse(view.expiresAt) <= Date.now())))
      throw new InsightNotFoundError();
    const patterns: PatternView[] = [];
    for (const patternId of view.evidence.patternIds) {
      try {
        const pattern = await this.patterns.get(patternId);
        if (pattern.status === 'active') patterns.push(pattern);
      } catch (error) {
        if (!(error instanceof PatternNotFoundError)) throw error;
      }
    }
    return { ...view, patterns };
  }

  async listRuns(
    limit: number,
    cursor?: string,
  ): Promise<{ items: ReturnType<typeof toRunView>[]; nextCursor: string | null }> {
    let before: string | undefined;
    if (cursor) {
      const position = decodeCursor<string>(cursor, { list: 'insight-runs' });
      if (typeof position !== 'string' || !isUuid(position)) throw new InvalidCursorError();
      before = position;
    }
    const rows = await this.runs.page(limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toRunView),
      nextCursor: rows.length > limit && last ? encodeCursor(last.id, { list: 'insight-runs' }) : null,
    };
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
    periodFrom: iso(row.period_from),
    periodTo: iso(row.period_to),
    evidence: row.evidence,
    stats: row.stats,
    noised: row.noised,
    status: row.status,
    generatedAt: iso(row.updated_at),
    expiresAt: iso(row.expires_at),
    runId: row.run_id,
  };
}

function toRunView(row: StoredInsightRun) {
  return {
    id: row.id,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    periodFrom: iso(row.period_from),
    periodTo: iso(row.period_to),
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    durationMs: row.duration_ms,
    status: row.status,
    generators: row.generators ?? [],
    error: row.error,
  };
}

const iso = (value: Date | string) => new Date(value).toISOString();
