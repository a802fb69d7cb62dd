import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain.error';
import { KIND_STATUS } from '../../common/errors/problem';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { AppConfig } from '../../config/app-config';
import { ConsentGate } from '../consent/consent-gate.service';
import { ConsentRequiredError } from '../consent/consent.errors';
import { BlindIndexService } from '../crypto/blind-index.service';
import { FieldEncryptionService, type UserCipher } from '../crypto/field-encryption.service';
import type { EventRow } from './event-row';
import { LearningEventsRepository, type InsertOutcome } from './learning-events.repository';
import { validateEvent, type ValidEvent } from './learning-event.validator';
import { eventDataContext } from './event-data-context';
import { LearningMetrics } from './learning.metrics';
import { EventQuota, type QuotaRefund } from './event-quota';
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

interface Pending {
  index: number;
  event: ValidEvent;
  /** Index of the first valid item with the same user and clientEventId in this batch. */
  sameAs?: number;
  row?: EventRow;
}

/**
 * Ingestion: every item validated and consent-checked on its own, payloads sealed under each user's data key,
 * and the accepted rows of a request written by one atomic statement. Consent is answered by the cached gate;
 * the statement re-checks it under row locks, so a withdrawal racing the request never leaves rows behind.
 */
@Injectable()
export class LearningIngestService {
  constructor(
    private readonly repository: LearningEventsRepository,
    private readonly gate: ConsentGate,
    private readonly encryption: FieldEncryptionService,
    private readonly blindIndex: BlindIndexService,
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

    try {
      const pending: Pending[] = [];
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
      const admitted = await this.withinQuota(
        pending.filter((p) => p.sameAs === undefined && allowed.has(p.event.userId)),
      );
      for (const [p, result] of admitted.answered) {
        if (result.status === 'rejected') reject(p.index, admitted.error, p.event.eventType);
        else {
          results[p.index] = { index: p.index, status: 'duplicate', id: result.id };
          tally.add(p.event.eventType, 'duplicate');
        }
      }
      const writable = admitted.writable;
      let outcome: InsertOutcome;
      try {
        outcome = await this.store(writable);
      } catch (error) {
        await this.quota.refund(admitted.window, refundsOf(writable));
        throw error;
      }

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
        if (!outcome.consenting.has(p.event.userId)) {
          reject(p.index, new ConsentRequiredError(), type);
        } else if (outcome.staleKey.has(p.event.userId)) {
          reject(p.index, new IngestRaceError(), type);
        } else if (outcome.inserted.has(p.row!.id)) {
          results[p.index] = { index: p.index, status: 'accepted', id: p.row!.id };
          tally.add(type, 'accepted');
        } else {
          const id = existing.get(`${p.event.userId}|${p.event.clientEventId}`);
          if (id) {
            results[p.index] = { index: p.index, status: 'duplicate', id };
            tally.add(type, 'duplicate');
          } else {
            reject(p.index, new IngestRaceError(), type);
          }
        }
      }
      for (const p of pending.filter((p) => p.sameAs === undefined && !allowed.has(p.event.userId)))
        reject(p.index, new ConsentRequiredError(), p.event.eventType);
      await this.quota.refund(
        admitted.window,
        refundsOf(writable.filter((p) => results[p.index].status !== 'accepted')),
      );
      for (const p of pending.filter((p) => p.sameAs !== undefined)) {
        const first = results[p.sameAs!];
        if (first.status === 'rejected') {
          reject(p.index, errors.get(p.sameAs!)!, p.event.eventType);
        } else {
          results[p.index] = { index: p.index, status: 'duplicate', id: first.id };
          tally.add(p.event.eventType, 'duplicate');
        }
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
   * Reserves each user's share of the per-user quota (see EventQuota), items in request order. An item past the
   * quota is answered at once: as a duplicate when its clientEventId is already stored (a retry of an accepted
   * event), else LEARNING.QUOTA_EXCEEDED (429) with the seconds until the window ends.
   */
  private async withinQuota(items: Pending[]): Promise<{
    writable: Pending[];
    window: number;
    error: DomainError;
    answered: Map<Pending, { status: 'rejected' } | { status: 'duplicate'; id: string }>;
  }> {
    const byUser = new Map<string, Pending[]>();
    for (const p of items) {
      const list = byUser.get(p.event.userId);
      if (list) list.push(p);
      else byUser.set(p.event.userId, [p]);
    }
    const users = [...byUser.values()];
    const reservation = await this.quota.reserve(
      users.map((list) => ({ userId: list[0].event.userId, sizes: list.map(sizeOf) })),
    );
    const writable: Pending[] = [];
    const over: Pending[] = [];
    users.forEach((list, i) => {
      writable.push(...list.slice(0, reservation.admitted[i]));
      over.push(...list.slice(reservation.admitted[i]));
    });
    const answered = new Map<Pending, { status: 'rejected' } | { status: 'duplicate'; id: string }>();
    const error = new EventQuotaExceededError(reservation.retryAfterSeconds);
    if (over.length > 0) {
      const retries = over.filter((p) => p.event.clientEventId !== null);
      const stored = await this.repository.existingIds(
        retries.map((p) => ({ userId: p.event.userId, clientEventId: p.event.clientEventId! })),
      );
      for (const p of over) {
        const id =
          p.event.clientEventId === null ? undefined : stored.get(`${p.event.userId}|${p.event.clientEventId}`);
        answered.set(p, id ? { status: 'duplicate', id } : { status: 'rejected' });
      }
    }
    // Back in request order: the insert and the answers do not depend on it, but the tests and logs read easier.
    writable.sort((a, b) => a.index - b.index);
    return { writable, window: reservation.window, error, answered };
  }

  /**
   * Seals and inserts. Rows the database refused because they were sealed under a data key that is no longer their
   * user's (this instance's cached key was shredded by an erasure elsewhere and the user consented again within the
   * cache TTL, or the eviction message has not arrived) are sealed again under the user's current key, read past
   * the cache, and inserted once more; a user whose key changes again in between gets a retryable conflict.
   */
  private async store(writable: Pending[]): Promise<InsertOutcome> {
    await this.seal(writable);
    const first = await this.insert(writable);
    if (first.staleKey.size === 0) return first;
    const resealed = writable.filter((p) => first.staleKey.has(p.event.userId));
    for (const userId of first.staleKey) this.encryption.forgetCachedKey(userId);
    this.metrics.staleKeyResealed(resealed.length);
    await this.seal(resealed);
    const second = await this.insert(resealed);
    const inserted = new Set([...first.inserted, ...second.inserted]);
    const consenting = new Set([...first.consenting].filter((u) => !first.staleKey.has(u) || second.consenting.has(u)));
    return { inserted, consenting, staleKey: second.staleKey };
  }

  private insert(items: Pending[]): Promise<InsertOutcome> {
    if (items.length === 0) return Promise.resolve({ inserted: new Set(), consenting: new Set(), staleKey: new Set() });
    return this.repository.insert(items.map((p) => p.row!));
  }

  /**
   * Users the gate let through but the insert statement found without consent (a withdrawal or erasure on
   * another instance, not yet seen here): correct the gate, and shred a data key this request may have created
   * for a user who has no consent record any more (an erased user must not get one back).
   */
  private async forgetStaleConsent(written: Pending[], consenting: Set<string>): Promise<void> {
    const stale = [...new Set(written.map((p) => p.event.userId))].filter((u) => !consenting.has(u));
    if (stale.length === 0) return;
    for (const userId of await this.gate.refuted(stale)) await this.encryption.shredUser(userId);
  }

  /** Users (of this request) who consent now, answered by the cached gate. */
  private consenting(userIds: string[]): Promise<Set<string>> {
    return this.gate.allowedAmong([...new Set(userIds)]);
  }

  /** Seals every payload and computes signatures; one data-key lookup per user. */
  private async seal(items: Pending[]): Promise<void> {
    // All users' keys at once, settled together: awaiting them one by one would leave the rest unobserved when
    // the first rejects (a database outage), and an unobserved rejection ends the process.
    const userIds = [...new Set(items.map((p) => p.event.userId))];
    const loaded = await Promise.all(userIds.map((userId) => this.encryption.cipherFor(userId, { create: true })));
    const ciphers = new Map<string, UserCipher>(userIds.map((userId, i) => [userId, loaded[i]]));
    for (const p of items) {
      const e = p.event;
      const cipher = ciphers.get(e.userId)!;
      const id = uuidv7();
      p.row = {
        id,
        userId: e.userId,
        eventType: e.eventType,
        module: e.module,
        action: e.action,
        sessionId: e.sessionId,
        clientEventId: e.clientEventId,
        timestamp: e.timestamp,
        labels: e.labels,
        rating: e.rating,
        sentiment: e.sentiment,
        outcome: e.outcome,
        signature: e.signatureOf ? this.blindIndex.compute(e.signatureOf.domain, ...e.signatureOf.parts) : null,
        payload: cipher.seal(eventDataContext(id, e.userId), Buffer.from(e.dataJson, 'utf8')),
        keyId: cipher.keyId,
      };
    }
  }
}

const sizeOf = (p: Pending): number => Buffer.byteLength(p.event.dataJson, 'utf8');

/** Per user, the items to give back to the quota. */
function refundsOf(items: Pending[]): QuotaRefund[] {
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
