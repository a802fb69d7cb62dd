import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { isUuid } from '../../common/ids/uuid';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { keysetPage, listRequest } from '../../common/pagination/keyset-page';
import { STORABLE_FROM, STORABLE_TO } from '../../common/http/date-bounds';
import { currentRequestId } from '../../common/http/request-context';
import { InsertCoalescer } from '../../database/insert-coalescer';
import { SqlPool } from '../../database/sql-pool.service';
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

/** Entries read per page when a user's entries are exported. */
const EXPORT_PAGE = 1000;

interface StoredAuditRow {
  id: string;
  at: string | Date;
  actor: string;
  actor_type: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown> | null;
}

/** One entry as the audit_log columns take it. */
type AuditRow = [
  string,
  Date,
  string,
  string,
  string,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
];

/** Entries written on their own share statements under load: at most this many in flight, … */
const WRITES_IN_FLIGHT = 1;
/** … each carrying at most this many entries. */
const ENTRIES_PER_STATEMENT = 500;

const INSERT_ONE = `INSERT INTO audit_log (id, at, actor, actor_type, action, target, outcome, ip, request_id, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

const INSERT_ROWS = `INSERT INTO audit_log (id, at, actor, actor_type, action, target, outcome, ip, request_id, details)
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[])`;

function toRow(entry: AuditRecord): AuditRow {
  return [
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
  ];
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);
  /**
   * Entries written on their own go through group commit: a storm of refused requests (every failed login is
   * audited) becomes a few multi-row statements on one connection instead of a transaction each that would take the
   * pool from everyone else. Each caller still waits for its own entry to be written.
   */
  private readonly writes = new InsertCoalescer<AuditRow, void>((rows) => this.insertRows(rows), {
    maxInFlight: WRITES_IN_FLIGHT,
    maxRows: ENTRIES_PER_STATEMENT,
  });

  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlPool,
  ) {}

  /**
   * Appends an entry on its own (group-committed with the others written now). A failure is logged, never thrown: an
   * audit hiccup must not turn a 401 into a 500.
   */
  async record(entry: AuditRecord): Promise<void> {
    try {
      await this.writes.submit([toRow(entry)]);
    } catch (error) {
      this.logger.error(`Could not write audit entry ${entry.action}: ${(error as Error).message}`);
    }
  }

  /** Records what an admin did (succeeded) to `target`. */
  adminDid(admin: string, action: string, target: string, details?: Record<string, unknown>): Promise<void> {
    return this.record({ actor: admin, actorType: 'admin', action, target, outcome: 'success', details });
  }

  /**
   * Appends an entry inside the caller's transaction — a SQL one (`PoolClient`) or the ORM's (an `EntityManager`
   * inside `transactional`) — so it commits or rolls back with the change it records. The same statement either way.
   */
  async recordIn(tx: PoolClient | EntityManager, entry: AuditRecord): Promise<void> {
    if (tx instanceof EntityManager) {
      // The ORM's connection takes `?` placeholders.
      await tx
        .getConnection()
        .execute(INSERT_ONE.replace(/\$\d+/g, '?'), toRow(entry), 'run', tx.getTransactionContext());
    } else {
      await tx.query(INSERT_ONE, toRow(entry));
    }
  }

  private async insertRows(rows: AuditRow[]): Promise<void> {
    await this.sql.query(
      INSERT_ROWS,
      Array.from({ length: 10 }, (_, column) => rows.map((row) => row[column])),
      'audit_insert',
    );
  }

  /**
   * Every entry that names one of `subjects` as actor or target (a user and their pseudonym, for an export), oldest
   * first, streamed a page at a time.
   */
  async *entriesNaming(subjects: string[]): AsyncGenerator<Record<string, unknown>> {
    let after: [string, string] | null = null;
    for (;;) {
      const rows: StoredAuditRow[] = await this.sql.query<StoredAuditRow>(
        `SELECT id, at, actor, actor_type, action, target, outcome, ip, request_id, details FROM audit_log
          WHERE (actor = ANY($1::text[]) OR target = ANY($1::text[])) AND ($2::timestamptz IS NULL OR (at, id) > ($2::timestamptz, $3::uuid))
          ORDER BY at, id LIMIT $4`,
        [subjects, after?.[0] ?? null, after?.[1] ?? null, EXPORT_PAGE],
      );
      for (const r of rows) {
        yield {
          id: r.id,
          at: new Date(r.at).toISOString(),
          actor: r.actor,
          actorType: r.actor_type,
          action: r.action,
          target: r.target,
          outcome: r.outcome,
          ip: r.ip,
          requestId: r.request_id,
          details: r.details,
        };
      }
      if (rows.length < EXPORT_PAGE) return;
      const last = rows[rows.length - 1];
      after = [new Date(last.at).toISOString(), last.id];
    }
  }

  /**
   * An erasure's part, inside its transaction: every entry that names the user (as actor, target or in its details)
   * names the pseudonym instead, and loses its address. The append-only trigger allows this update only in a
   * transaction that says it is an erasure. Returns how many entries changed.
   */
  async pseudonymizeIn(tx: PoolClient, userId: string, pseudonym: string): Promise<number> {
    await tx.query("SET LOCAL app.privacy_erasure = 'on'");
    const result = await tx.query(
      `UPDATE audit_log SET
         actor = CASE WHEN actor = $1 THEN $2 ELSE actor END,
         target = CASE WHEN target = $1 THEN $2 ELSE target END,
         details = CASE WHEN details::text LIKE '%' || $1 || '%' THEN replace(details::text, $1, $2)::jsonb ELSE details END,
         ip = NULL
       WHERE actor = $1 OR target = $1`,
      [userId, pseudonym],
    );
    return result.rowCount ?? 0;
  }

  async list(query: AuditQueryDto): Promise<AuditPage> {
    const where: Record<string, unknown> = {};
    if (query.action) where.action = query.action;
    if (query.actor) where.actor = query.actor;
    if (query.from || query.to)
      where.at = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) };
    return keysetPage(
      listRequest(query, {
        isPosition: isAuditPosition,
        fetch: (position, limit) => {
          const page = { ...where };
          if (position) {
            const at = new Date(position[0]);
            page.$or = [{ at: { $lt: at } }, { at, id: { $lt: position[1] } }];
          }
          return this.em.fork().find(AuditEntry, page, { orderBy: { at: 'desc', id: 'desc' }, limit });
        },
        positionOf: (row) => [row.at.toISOString(), row.id] as [string, string],
      }),
    );
  }
}

/** Cursors are not signed: a crafted one must still be a time and an entry id, or it is refused (400). */
function isAuditPosition(value: unknown): value is [string, string] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    Date.parse(value[0]) >= STORABLE_FROM.getTime() &&
    Date.parse(value[0]) <= STORABLE_TO.getTime() &&
    typeof value[1] === 'string' &&
    isUuid(value[1])
  );
}
