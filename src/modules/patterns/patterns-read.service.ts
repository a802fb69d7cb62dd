import { Injectable } from '@nestjs/common';
import { ForbiddenRoleError } from '../../common/auth/forbidden-role.error';
import { isUuid } from '../../common/ids/uuid';
import { STORABLE_FROM, STORABLE_TO } from '../../common/http/date-bounds';
import { listRequest } from '../../common/pagination/keyset-page';
import type { PatternDto } from './dto/pattern.dto';
import { MiningRuns } from './mining-runs';
import { PatternsCache } from './patterns-cache.service';
import { PatternNotFoundError } from './patterns.errors';
import { PatternsRepository, type PatternFilter, type PatternSort, type StoredPattern } from './patterns.repository';
import { isoTime } from '../../common/time/iso';

/** The filters of `PatternFilter` plus the page the caller asks for. */
export type PatternQuery = Omit<PatternFilter, 'after'> & { cursor?: string; limit: number };

/** Pattern and run reads with keyset cursors (stable while runs update patterns in place). */
@Injectable()
export class PatternsReadService {
  constructor(
    private readonly patterns: PatternsRepository,
    private readonly runs: MiningRuns,
    private readonly cache: PatternsCache,
  ) {}

  async list(query: PatternQuery): Promise<{ items: PatternDto[]; nextCursor: string | null }> {
    return JSON.parse(await this.listJson(query)) as { items: PatternDto[]; nextCursor: string | null };
  }

  /**
   * One page as its JSON text, from the cache (`EpochCache.pageJson`). Retired patterns only for `history` (admins):
   * they are history for operators, their support may predate withdrawals and erasures.
   */
  async listJson(query: PatternQuery, history = false): Promise<string> {
    if (query.status !== 'active' && !history) throw new ForbiddenRoleError();
    return this.cache.pageJson(
      listRequest(query, {
        isPosition: (position: unknown): position is [number | string, string] => validPosition(position, query.sort),
        fetch: (after, limit) => this.patterns.page({ ...query, after }, limit),
        positionOf: (row) =>
          [query.sort === 'support' ? row.support : isoTime(row.last_seen), row.id] as [number | string, string],
      }),
      toPatternView,
    );
  }

  /** One pattern; a retired one only with `history` (admins): to everyone else it is not there. */
  async get(id: string, history = false): Promise<PatternDto> {
    const view = await this.cache.read(`get:${id}`, async () => {
      const row = await this.patterns.byId(id);
      return row ? toPatternView(row) : false;
    });
    if (!view || (!history && view.status !== 'active')) throw new PatternNotFoundError();
    return view;
  }

  listRuns(limit: number, cursor?: string) {
    return this.runs.views(limit, cursor);
  }
}

function validPosition(position: unknown, sort: PatternSort): position is [number | string, string] {
  if (!Array.isArray(position) || position.length !== 2 || typeof position[1] !== 'string' || !isUuid(position[1]))
    return false;
  // Cursors are not signed: a crafted one must still be a value the column can hold, or it is refused (400).
  if (sort === 'support')
    return (
      Number.isSafeInteger(position[0]) && (position[0] as number) >= 0 && (position[0] as number) <= 2_147_483_647
    );
  const at = typeof position[0] === 'string' ? Date.parse(position[0]) : NaN;
  return at >= STORABLE_FROM.getTime() && at <= STORABLE_TO.getTime();
}

export function toPatternView(row: StoredPattern): PatternDto {
  return {
    id: row.id,
    type: row.pattern_type,
    module: row.module,
    signature: row.signature,
    items: row.items,
    support: row.support,
    occurrences: row.occurrences === null ? null : Number(row.occurrences),
    confidence: row.confidence,
    lift: row.lift,
    stats: row.stats,
    firstSeen: isoTime(row.first_seen),
    lastSeen: isoTime(row.last_seen),
    status: row.status,
    runId: row.run_id,
  };
}
