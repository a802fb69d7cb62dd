import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain.error';
import { KIND_STATUS } from '../../common/errors/problem';
import { AppConfig } from '../../config/app-config';
import { ConsentGate } from '../consent/consent-gate.service';
import { ConsentRequiredError } from '../consent/consent.errors';
import { FieldEncryptionService } from '../crypto/field-encryption.service';
import { EventQuota, type QuotaRefund, type QuotaReservation } from './event-quota';
import { EventWriter, type PendingEvent } from './event-writer';
import { LearningEventsRepository } from './learning-events.repository';
import { validateEvent } from './learning-event.validator';
import { LearningMetrics } from './learning.metrics';
import { EventQuotaExceededError } from './learning.errors';

export interface ItemError {
  code: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
  retryAfterSeconds?: number;
}

export type ItemResult =
  | { index: number; status: 'accepted' | 'duplicate'; id: string }
  | { index: number; status: 'rejected'; error: ItemError };

export interface BatchResult {
  results: ItemResult[];
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** A repeated clientEventId whose first event vanished between the insert and the lookup (e.g. a concurrent erasure). */
export class IngestRaceError extends DomainError {
  constructor() {
    super('LEARNING.CONFLICT', 'conflict', 'The event collided with a concurrent change; retry it', {
      retryable: true,
    });
  }
}

function itemError(error: DomainError): ItemError {
  return {
    code: error.code,
    status: KIND_STATUS[error.kind],
    detail: error.message,
    ...(error.errors ? { errors: error.errors } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  };
}

/**
 * Ingestion: every item validated and consent-checked on its own, each user's items admitted within the per-user
 * quota, payloads sealed under each user's data key, and the accepted rows of a request written by one atomic
 * statement (two only when a user's data key changed under the request, see `EventWriter`). Consent is answered by
 * the cached gate; the statement re-checks it under row locks, so a withdrawal racing the request never leaves rows
 * behind.
 */
@Injectable()
export class LearningIngestService {
  constructor(
    private readonly repository: LearningEventsRepository,
    private readonly gate: ConsentGate,
    private readonly encryption: FieldEncryptionService,
    private readonly writer: EventWriter,
    private readonly config: AppConfig,
    private readonly metrics: LearningMetrics,
    private readonly quota: EventQuota,
  ) {}

  /** One event: the stored (or first) id, or the item's error thrown as the request's answer. */
  async ingestOne(raw: unknown, caller: AuthUser): Promise<{ id: string; status: 'accepted' | 'duplicate' }> {
    const stop = this.metrics.startTimer('single');
    try {
      const { batch, errors } = await this.ingest([raw], caller);
      const result = batch.results[0];
      if (result.status === 'rejected') throw errors.get(0)!;
      return { id: result.id, status: result.status };
    } finally {
      stop();
    }
  }

  async ingestBatch(items: unknown[], caller: AuthUser): Promise<BatchResult> {
    const stop = this.metrics.startTimer('batch');
    try {
      return (await this.ingest(items, caller)).batch;
    } finally {
      stop();
    }
  }

  private async ingest(
    items: unknown[],
    caller: AuthUser,
  ): Promise<{ batch: BatchResult; errors: Map<number, DomainError> }> {
    const now = Date.now();
    const ctx = { caller, now, oldestMs: now - this.config.learning.retentionDays * 86_400_000 };
    const results = new Array<ItemResult>(items.length);
    const errors = new Map<number, DomainError>();
    const tally = this.metrics.tally();
    const reject = (index: number, error: DomainError, eventType: string) => {
      results[index] = { index, status: 'rejected', error: itemError(error) };
      errors.set(index, error);
      tally.add(eventType, 'rejected', error.code);
    };
    const accept = (p: PendingEvent, status: 'accepted' | 'duplicate', id: string) => {
      results[p.index] = { index: p.index, status, id };
      tally.add(p.event.eventType, status);
    };

    try {
      const pending: PendingEvent[] = [];
      const firstByKey = new Map<string, number>();
      items.forEach((raw, index) => {
        const validated = validateEvent(raw, ctx);
        if (!validated.ok) return reject(index, validated.error, typeOf(raw));
        const event = validated.event;
        const key = event.clientEventId === null ? null : `${event.userId}|${event.clientEventId}`;
        const first = key === null ? undefined : firstByKey.get(key);
        if (key !== null && first === undefined) firstByKey.set(key, index);
        pending.push({ index, event, sameAs: first });
      });

      const allowed = await this.consenting(pending.map((p) => p.event.userId));
      for (const p of pending.filter((p) => p.sameAs === undefined && !allowed.has(p.event.userId)))
        reject(p.index, new ConsentRequiredError(), p.event.eventType);
      const candidates = pending.filter((p) => p.sameAs === undefined && allowed.has(p.event.userId));
      const { reservation, writable, over } = await this.admit(candidates);
      // Every reserved item that is not stored in the end gives its share back, also when the request fails.
      const stored = new Set<string>();
      try {
        const overQuota = await this.answerOverQuota(over);
        for (const p of over) {
          const id = overQuota.get(p);
          if (id) accept(p, 'duplicate', id);
          else reject(p.index, new EventQuotaExceededError(reservation.retryAfterSeconds), p.event.eventType);
        }
        const outcome = await this.writer.write(writable, stored);
        await this.forgetStaleConsent(writable, outcome.consenting);
        const lookups = writable.filter(
          (p) =>
            !outcome.inserted.has(p.row!.id) &&
            outcome.consenting.has(p.event.userId) &&
            !outcome.staleKey.has(p.event.userId),
        );
        const existing = await this.repository.existingIds(
          lookups.map((p) => ({ userId: p.event.userId, clientEventId: p.event.clientEventId! })),
        );
        for (const p of writable) {
          const type = p.event.eventType;
          if (outcome.inserted.has(p.row!.id)) accept(p, 'accepted', p.row!.id);
          else if (!outcome.consenting.has(p.event.userId)) reject(p.index, new ConsentRequiredError(), type);
          else if (outcome.staleKey.has(p.event.userId)) reject(p.index, new IngestRaceError(), type);
          else {
            const id = existing.get(`${p.event.userId}|${p.event.clientEventId}`);
            if (id) accept(p, 'duplicate', id);
            else reject(p.index, new IngestRaceError(), type);
          }
        }
      } finally {
        await this.quota.refund(reservation, refundsOf(writable.filter((p) => !p.row || !stored.has(p.row.id))));
      }
      for (const p of pending.filter((p) => p.sameAs !== undefined)) {
        const first = results[p.sameAs!];
        if (first.status === 'rejected') reject(p.index, errors.get(p.sameAs!)!, p.event.eventType);
        else accept(p, 'duplicate', first.id);
      }
    } finally {
      // Also when the request then fails (a 503, say): its invalid items were refused either way.
      tally.flush();
    }
    const batch: BatchResult = {
      results,
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
    };
    return { batch, errors };
  }

  /**
   * Reserves each user's share of the per-user quota (see EventQuota), items in request order: the first ones that
   * fit are written, the rest are over the quota.
   */
  private async admit(
    items: PendingEvent[],
  ): Promise<{ reservation: QuotaReservation; writable: PendingEvent[]; over: PendingEvent[] }> {
    const byUser = new Map<string, PendingEvent[]>();
    for (const p of items) {
      const list = byUser.get(p.event.userId);
      if (list) list.push(p);
      else byUser.set(p.event.userId, [p]);
    }
    const users = [...byUser.values()];
    const reservation = await this.quota.reserve(
      users.map((list) => ({ userId: list[0].event.userId, sizes: list.map(sizeOf) })),
    );
    const writable: PendingEvent[] = [];
    const over: PendingEvent[] = [];
    users.forEach((list, i) => {
      writable.push(...list.slice(0, reservation.admitted[i]));
      over.push(...list.slice(reservation.admitted[i]));
    });
    // Back in request order: the insert and the answers do not depend on it, but the tests and logs read easier.
    writable.sort((a, b) => a.index - b.index);
    return { reservation, writable, over };
  }

  /**
   * The stored id of each item past the quota whose clientEventId is already stored (a retry of an accepted event
   * is answered as its duplicate); the others are LEARNING.QUOTA_EXCEEDED.
   */
  private async answerOverQuota(over: PendingEvent[]): Promise<Map<PendingEvent, string>> {
    const retries = over.filter((p) => p.event.clientEventId !== null);
    const stored = await this.repository.existingIds(
      retries.map((p) => ({ userId: p.event.userId, clientEventId: p.event.clientEventId! })),
    );
    const ids = new Map<PendingEvent, string>();
    for (const p of retries) {
      const id = stored.get(`${p.event.userId}|${p.event.clientEventId}`);
      if (id) ids.set(p, id);
    }
    return ids;
  }

  /**
   * Users the gate let through but the insert statement found without consent (a withdrawal or erasure on
   * another instance, not yet seen here): correct the gate, and shred a data key this request may have created
   * for a user who has no consent record any more (an erased user must not get one back).
   */
  private async forgetStaleConsent(written: PendingEvent[], consenting: Set<string>): Promise<void> {
    const stale = [...new Set(written.map((p) => p.event.userId))].filter((u) => !consenting.has(u));
    if (stale.length === 0) return;
    for (const userId of await this.gate.refuted(stale)) await this.encryption.shredUser(userId);
  }

  /** Users (of this request) who consent now, answered by the cached gate. */
  private consenting(userIds: string[]): Promise<Set<string>> {
    return this.gate.allowedAmong([...new Set(userIds)]);
  }
}

const sizeOf = (p: PendingEvent): number => Buffer.byteLength(p.event.dataJson, 'utf8');

/** Per user, the items to give back to the quota. */
function refundsOf(items: PendingEvent[]): QuotaRefund[] {
  const byUser = new Map<string, QuotaRefund>();
  for (const p of items) {
    const refund = byUser.get(p.event.userId) ?? { userId: p.event.userId, events: 0, bytes: 0 };
    refund.events += 1;
    refund.bytes += sizeOf(p);
    byUser.set(p.event.userId, refund);
  }
  return [...byUser.values()];
}

function typeOf(raw: unknown): string {
  const type = (raw as { eventType?: unknown } | null)?.eventType;
  return type === 'interaction' || type === 'feedback' || type === 'correction' || type === 'pattern_discovery'
    ? type
    : 'unknown';
}
