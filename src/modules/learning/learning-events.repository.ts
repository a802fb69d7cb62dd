import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { isUuid } from '../../common/ids/uuid';
import { CopyThenQuery, parsePlainArray } from '../../database/copy-then-query';
import type { ReadFrom } from '../../database/replica-router';
import { SqlPool } from '../../database/sql-pool.service';
import { InsertCoalescer } from '../../database/insert-coalescer';
import { encodeCopyBinary, STORED_COLUMNS } from './copy-binary';
import type { EventType } from './entities/learning-event.entity';
import type { EventRow } from './event-row';

export interface StoredEvent {
  id: string;
  user_id: string;
  event_type: EventType;
  module: string;
  action: string;
  session_id: string | null;
  client_event_id: string | null;
  timestamp: string | Date;
  received_at: string | Date;
  labels: Record<string, string> | null;
  payload: Buffer;
}

/** The fields of `EventRow` in the order of STORED_COLUMNS (each column's name in camelCase). */
const STORED_FIELDS = STORED_COLUMNS.split(', ').map((column) =>
  column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
) as (keyof EventRow)[];

/** A field as its column takes it (labels as JSON text). */
const storedValue = (row: EventRow, field: keyof EventRow) =>
  field === 'labels' ? (row.labels ? JSON.stringify(row.labels) : null) : row[field];

export interface InsertOutcome {
  /** Ids of the rows stored by this statement. */
  inserted: Set<string>;
  /** Users who consent now, as the database saw it under the statement's row locks. */
  consenting: Set<string>;
  /**
   * Each consenting user's stored data key id. A row of a consenting user that was not stored and names another key
   * was sealed under a key that is no longer the user's (this instance's cached key was shredded by an erasure
   * elsewhere, and the user consented again since): the caller seals it again under the current key.
   */
  currentKeys: Map<string, string>;
}

export interface EventFilter {
  userId?: string;
  eventType?: EventType;
  module?: string;
  from?: Date;
  to?: Date;
  /** Keyset position: only ids below this one (ids are time-ordered uuids). */
  beforeId?: string;
}

const COLUMNS =
  'id, user_id, event_type, module, action, session_id, client_event_id, timestamp, received_at, labels, payload';
/** Up to this many rows go through one multi-row INSERT (one round trip); more go through COPY. */
export const COPY_THRESHOLD = 16;

/**
 * Small writes running at once before further ones wait and go together: enough to keep PostgreSQL busy on two
 * cores, few enough that single events share statements and commits instead of taking a connection each. Each
 * statement costs a round trip whose socket writes wake the other side, which is dear on a VM: two in flight
 * instead of four cost PostgreSQL less CPU per event and lowered the open-loop p99 without lowering the peak rate
 * (`BENCH_ONLY=paced npm run bench` against `BENCH_ONLY=single`); one saved more CPU but queued longer.
 */
const SMALL_WRITES_IN_FLIGHT = 2;
/** The most rows one shared statement carries. */
const COALESCE_MAX_ROWS = 256;
/** PostgreSQL's answer to FOR SHARE NOWAIT on a row another transaction holds. */
const LOCK_NOT_AVAILABLE = '55P03';

/** Connections that already hold the session's staging table. */
const staged = new WeakSet<PoolClient>();

interface OutcomeRow {
  consenting: string[] | null;
  inserted: string[] | null;
  keys: string[] | null;
}

/**
 * The one statement that checks consent (rows held FOR SHARE) and data keys, and inserts `source`'s rows of consenting
 * users sealed under their stored data key; `users` is the condition naming the request's users. A row sealed under
 * another key (one this instance cached and another shredded, see `InsertOutcome.currentKeys`) is left out. Key rows
 * are held FOR KEY SHARE, so a shred waits for the statement; they are reached only through `consenting`, so a
 * user's settings row is locked before the key row, the order erasure locks them in. `wait: false` makes it fail at
 * once (55P03) instead of waiting when a consent change holds one of the rows.
 */
function insertStatement(source: string, users: string, wait = true): string {
  const nowait = wait ? '' : ' NOWAIT';
  return `WITH consenting AS (
      SELECT user_id FROM user_privacy_settings WHERE ${users} AND allow_collective_learning FOR SHARE${nowait}
    ), keyed AS (
      SELECT k.user_id, k.key_id FROM user_data_keys k WHERE k.user_id IN (SELECT user_id FROM consenting) FOR KEY SHARE OF k${nowait}
    ), stored AS (
      INSERT INTO global_learning_events (${STORED_COLUMNS})
      SELECT * FROM (${source}) AS s WHERE (s.user_id, s.key_id) IN (SELECT user_id, key_id FROM keyed) ORDER BY s.user_id, s.client_event_id COLLATE "C"
      ON CONFLICT (user_id, client_event_id) DO NOTHING
      RETURNING id
    )
    SELECT (SELECT array_agg(user_id) FROM consenting) AS consenting, (SELECT array_agg(id) FROM stored) AS inserted,
      (SELECT array_agg(user_id || ':' || key_id) FROM keyed) AS keys`;
}

function toOutcome(consenting: string[], inserted: string[], keys: string[]): InsertOutcome {
  return {
    inserted: new Set(inserted),
    consenting: new Set(consenting),
    currentKeys: new Map(keys.map((pair) => pair.split(':') as [string, string])),
  };
}

// Lives as long as the connection and is emptied at every commit; no indexes (read once, in full).
const CREATE_STAGE =
  'CREATE TEMP TABLE IF NOT EXISTS learning_stage (LIKE global_learning_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS';
const COPY_TO_STAGE = `COPY learning_stage (${STORED_COLUMNS}) FROM STDIN (FORMAT binary)`;
const FROM_STAGE = insertStatement(
  `SELECT ${STORED_COLUMNS} FROM learning_stage`,
  'user_id IN (SELECT user_id FROM learning_stage)',
);

const distinctUsers = (rows: EventRow[]) => [...new Set(rows.map((r) => r.userId))];

/** First in a COPY query string: the consent checks rely on READ COMMITTED, whatever the server's default. */
const READ_COMMITTED = 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED';
const COPY_TO_TABLE = `COPY global_learning_events (${STORED_COLUMNS}) FROM STDIN (FORMAT binary)`;
/**
 * What makes the direct COPY hand its rows to the staged path, having stored nothing: a (user, client event id)
 * already stored (23505: a retry, or a concurrent request that committed the same id first), a user who does not
 * consent now (LC001), a consent change holding or awaiting one of the users' buckets (LC002), a row sealed under a
 * data key that is not its user's stored one (LC003; the staged path reports the user), or a lock table too full for
 * the bucket locks (53200; the staged path takes row locks instead).
 */
const STAGED_FALLBACK = new Set(['23505', 'LC001', 'LC002', 'LC003', '53200']);
/** Data key ids as `DataKeyService` makes them (base64url); checked before they are inlined in a query string. */
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Rows by user, then client event id, in byte order — the order every write path inserts in (the statements sort
 * with COLLATE "C"), so two writes that repeat each other's ids wait for each other instead of deadlocking.
 */
function insertOrder(a: EventRow, b: EventRow): number {
  if (a.userId !== b.userId) return a.userId < b.userId ? -1 : 1;
  if (a.clientEventId === b.clientEventId) return 0;
  if (a.clientEventId === null) return 1;
  if (b.clientEventId === null) return -1;
  return a.clientEventId < b.clientEventId ? -1 : 1;
}

/**
 * The SQL of `global_learning_events`: the atomic, consent-checked, idempotent insert (three paths, see `insert`),
 * the duplicate lookup, keyset pages for reads and exports, and the per-user delete of erasure and withdrawal.
 */
@Injectable()
export class LearningEventsRepository {
  /**
   * Small writes share statements under load (group commit; see `InsertCoalescer`). A shared statement does not wait
   * for a consent change holding one of its users' settings rows (a withdrawal or erasure holds it while it deletes
   * the user's events): it fails at once, and its requests are run again one by one outside the coalescer's slots,
   * where each waits for the change as it must. So one user's change holds up that user's writes only, not every
   * small write of the instance.
   */
  private readonly small = new InsertCoalescer<EventRow, InsertOutcome>(
    (rows) => this.insertFromArrays(rows, false),
    {
      maxInFlight: SMALL_WRITES_IN_FLIGHT,
      maxRows: COALESCE_MAX_ROWS,
      retryAlone: (error) => (error as { code?: string }).code === LOCK_NOT_AVAILABLE,
    },
    (rows) => this.insertFromArrays(rows, true),
  );

  constructor(private readonly sql: SqlPool) {}

  /**
   * Stores the rows of consenting users, skipping repeats; atomic. Small sets go through one multi-row INSERT
   * from arrays (one round trip); larger ones through COPY (see `insertByCopy`), which `npm run bench:ingest-parts`
   * measured faster for batches. Every path re-checks consent in the write's own transaction so that a withdrawal
   * or erasure waits for the writes in flight and later ones see it: the single-statement paths hold the users'
   * settings rows FOR SHARE (which the change updates or locks), the direct COPY holds their consent buckets (which
   * the change takes exclusively, `learning_consent_change_lock`). Rows are inserted in (user, client event id)
   * byte order, so two requests repeating each other's ids wait for each other instead of deadlocking.
   */
  insert(rows: EventRow[]): Promise<InsertOutcome> {
    return rows.length <= COPY_THRESHOLD ? this.small.submit(rows) : this.insertByCopy(rows);
  }

  /**
   * The common case first: `learning_consent_held`, then COPY straight into the table (one round trip, one
   * implicit transaction; bulk inserts, without ON CONFLICT's per-row speculative insertion and without a row
   * lock per user). When that transaction fails because an id was already stored, a user does not consent or a
   * consent change holds one of the users' buckets (see STAGED_FALLBACK), it stored nothing, and the rows go
   * through the staged path, which skips repeats, leaves out users without consent row by row, and waits only for
   * changes of its own users.
   */
  private async insertByCopy(rows: EventRow[]): Promise<InsertOutcome> {
    const ordered = [...rows].sort(insertOrder);
    const data = encodeCopyBinary(ordered); // the same columns, in the same order, for both paths
    try {
      return await this.insertByDirectCopy(ordered, data);
    } catch (error) {
      if (!STAGED_FALLBACK.has((error as { code?: string }).code ?? '')) throw error;
    }
    return this.insertByStagedCopy(ordered, data);
  }

  /**
   * All rows or none: fails (LC001) when a user does not consent now, (LC002) when a consent change holds one of
   * the users' buckets, (LC003) when a row's data key is not its user's stored one, (23505) when an id is already stored. The check relies on READ COMMITTED's fresh snapshot
   * per statement, so the transaction pins that level whatever the server's default.
   */
  private async insertByDirectCopy(rows: EventRow[], data = encodeCopyBinary(rows)): Promise<InsertOutcome> {
    const users = distinctUsers(rows);
    // One (user, key) pair per run of rows (rows come sorted by user): a user whose rows name two keys gives two pairs
    // and fails the key check, as only one of them can be the stored key.
    const pairs = rows.filter((r, i, all) => i === 0 || r.userId !== all[i - 1].userId || r.keyId !== all[i - 1].keyId);
    // Inlined in the query text (a query string with COPY takes no parameters): only canonical uuids and key ids get there.
    if (!users.every((u) => isUuid(u) && u === u.toLowerCase()))
      throw new TypeError('user ids must be canonical lowercase uuids');
    if (!pairs.every((r) => KEY_ID.test(r.keyId))) throw new TypeError('data key ids must be base64url');
    const text = [
      READ_COMMITTED,
      `SELECT learning_consent_held('{${users.join(',')}}'::uuid[])`,
      `SELECT learning_keys_current('{${pairs.map((r) => r.userId).join(',')}}'::uuid[], '{${pairs.map((r) => r.keyId).join(',')}}'::text[])`,
      COPY_TO_TABLE,
    ].join(';\n');
    return this.sql.withClient(async (client) => {
      await client.query(new CopyThenQuery(text, data)).result;
      return {
        inserted: new Set(rows.map((r) => r.id)),
        consenting: new Set(users),
        currentKeys: new Map(pairs.map((r) => [r.userId, r.keyId])),
      };
    });
  }

  private async insertFromArrays(rows: EventRow[], wait: boolean): Promise<InsertOutcome> {
    const result = await this.sql.query<OutcomeRow>(
      insertStatement(
        `SELECT t.* FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::jsonb[], $11::int2[], $12::text[], $13::text[], $14::text[], $15::bytea[], $16::text[])
           AS t(${STORED_COLUMNS})`,
        'user_id = ANY($1::uuid[])',
        wait,
      ),
      [distinctUsers(rows), ...STORED_FIELDS.map((field) => rows.map((r) => storedValue(r, field)))],
      wait ? 'learning_events_insert_waiting' : 'learning_events_insert',
    );
    const [row] = result;
    return toOutcome(row.consenting ?? [], row.inserted ?? [], row.keys ?? []);
  }

  /**
   * One round trip: a query string that COPYs the rows (binary format) into the connection's staging table and
   * then moves them with the consent-checking INSERT … SELECT; the server runs both as one implicit transaction
   * (see `CopyThenQuery`), and the staging table empties at its commit. The first use on a connection creates the
   * table in the same transaction.
   */
  private async insertByStagedCopy(rows: EventRow[], data = encodeCopyBinary(rows)): Promise<InsertOutcome> {
    return this.sql.withClient(async (client) => {
      const create = staged.has(client) ? '' : `${CREATE_STAGE};\n`;
      const query = new CopyThenQuery(`${READ_COMMITTED};\n${create}${COPY_TO_STAGE};\n${FROM_STAGE}`, data);
      const [row] = await client.query(query).result;
      staged.add(client);
      return toOutcome(parsePlainArray(row[0]), parsePlainArray(row[1]), parsePlainArray(row[2]));
    });
  }

  /** Ids already stored for these (user, client event id) pairs, keyed `user|clientEventId`; one query for all. */
  async existingIds(pairs: { userId: string; clientEventId: string }[]): Promise<Map<string, string>> {
    if (pairs.length === 0) return new Map();
    const rows = await this.sql.query<{ id: string; user_id: string; client_event_id: string }>(
      `SELECT e.id, e.user_id, e.client_event_id FROM global_learning_events e
         JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, client_event_id) ON e.user_id = k.user_id AND e.client_event_id = k.client_event_id`,
      [pairs.map((p) => p.userId), pairs.map((p) => p.clientEventId)],
      'learning_events_existing',
    );
    return new Map(rows.map((r) => [`${r.user_id}|${r.client_event_id}`, r.id]));
  }

  /** One page, newest first (by id), of events matching `filter`. */
  async page(filter: EventFilter, limit: number): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.userId) add('user_id = ?', filter.userId);
    if (filter.eventType) add('event_type = ?', filter.eventType);
    if (filter.module) add('module = ?', filter.module);
    if (filter.from) add('timestamp >= ?', filter.from);
    if (filter.to) add('timestamp < ?', filter.to);
    if (filter.beforeId) add('id < ?', filter.beforeId);
    params.push(limit);
    return this.sql.query<StoredEvent>(
      `SELECT ${COLUMNS} FROM global_learning_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** The user an event belongs to, or null when there is no such event. */
  async ownerOf(id: string): Promise<string | null> {
    const [row] = await this.sql.query<{ user_id: string }>(
      'SELECT user_id FROM global_learning_events WHERE id = $1',
      [id],
    );
    return row?.user_id ?? null;
  }

  /** A user's events oldest first, after `afterId` (keyset), for exports. */
  async userEventsAfter(
    userId: string,
    afterId: string | null,
    limit: number,
    source: ReadFrom = 'primary',
  ): Promise<StoredEvent[]> {
    return this.sql.queryFrom<StoredEvent>(
      source,
      `SELECT ${COLUMNS} FROM global_learning_events WHERE user_id = $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      [userId, afterId, limit],
    );
  }

  /**
   * Deletes the user's events in the caller's transaction: the one with `id`, or those whose event time lies in
   * [from, to) (of one module, if given); returns how many.
   */
  async deleteSome(
    client: PoolClient,
    userId: string,
    which: { id: string } | { from: Date; to: Date; module?: string },
  ): Promise<number> {
    const result =
      'id' in which
        ? await client.query('DELETE FROM global_learning_events WHERE user_id = $1 AND id = $2', [userId, which.id])
        : await client.query(
            `DELETE FROM global_learning_events
              WHERE user_id = $1 AND timestamp >= $2 AND timestamp < $3 AND ($4::text IS NULL OR module = $4)`,
            [userId, which.from, which.to, which.module ?? null],
          );
    return result.rowCount ?? 0;
  }

  /** Deletes every event of the user inside the caller's transaction; returns how many. */
  async deleteUser(client: PoolClient, userId: string): Promise<number> {
    const result = await client.query('DELETE FROM global_learning_events WHERE user_id = $1', [userId]);
    return result.rowCount ?? 0;
  }
}
