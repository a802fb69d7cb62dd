import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { InvalidCursorError } from '../../common/errors/domain.error';
import { isUuid } from '../../common/ids/uuid';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { decodeCursor, encodeCursor } from '../../common/pagination/cursor';
import { currentRequestId } from '../../observability/request-context';
import type { AuditQueryDto } from './dto/audit-query.dto';
import { AuditEntry } from './entities/audit-entry.entity';
import type { AuditRecord } from './audit.types';

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

const clip = (value: string | null | undefined, max: number) => (value == null ? null : value.slice(0, max));
/** User ids are stored in one spelling (lower case), so erasure finds every entry that names a user. */
const canonical = (value: string | null | undefined) => (value != null && isUuid(value) ? value.toLowerCase() : value);

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly em: EntityManager) {}

  /**
   * Appends an entry. With `em` it joins that transaction and fails with it; without, it writes on its own and a
   * failure is logged, never thrown (an audit hiccup must not turn a 401 into a 500).
   */
  async record(entry: AuditRecord, em?: EntityManager): Promise<void> {
    const target = em ?? this.em.fork();
    const row = target.create(AuditEntry, {
      actor: clip(canonical(entry.actor), 200) ?? 'unknown',
      actorType: entry.actorType,
      action: entry.action,
      target: clip(canonical(entry.target), 200),
      outcome: entry.outcome,
      ip: clip(entry.ip, 64),
      requestId: clip(currentRequestId(), 128),
      details: entry.details ?? null,
    });
    if (em) {
      em.persist(row);
      return;
    }
    try {
      await target.flush();
    } catch (error) {
      this.logger.error(`Could not write audit entry ${entry.action}: ${(error as Error).message}`);
    }
  }

  /** Appends an entry inside the caller's own SQL transaction (it commits or rolls back with it). */
  async recordIn(tx: PoolClient, entry: AuditRecord): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (id, at, actor, actor_type, action, target, outcome, ip, request_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        uuidv7(),
        new Date(),
        clip(canonical(entry.actor), 200) ?? 'unknown',
        entry.actorType,
        entry.action,
        clip(canonical(entry.target), 200),
        entry.outcome,
        clip(entry.ip, 64),
        clip(currentRequestId(), 128),
        entry.details ? JSON.stringify(entry.details) : null,
      ],
    );
  }

  async list(query: AuditQueryDto): Promise<AuditPage> {
    const filters = { action: query.action, actor: query.actor, from: query.from?.toISOString(), to: query.to?.toISOString() };
    const where: Record<string, unknown> = {};
    if (query.action) where.action = query.action;
    if (query.actor) where.actor = query.actor;
    if (query.from || query.to) where.at = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) };
    if (query.cursor) {
      const position = decodeCursor<[string, string]>(query.cursor, filters);
      if (!position || !Array.isArray(position) || position.length !== 2) throw new InvalidCursorError();
      const [at, id] = position;
      const atDate = new Date(at);
      if (Number.isNaN(atDate.getTime())) throw new InvalidCursorError();
      where.$or = [{ at: { $lt: atDate } }, { at: atDate, id: { $lt: id } }];
    }
    const limit = query.limit;
    const rows = await this.em.fork().find(AuditEntry, where, { orderBy: { at: 'desc', id: 'desc' }, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.at.toISOString(), last.id], filters) : null };
  }
}
