import { Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../../common/errors/error-message';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { BlindIndexService } from '../crypto/blind-index.service';
import { FieldEncryptionService, type UserCipher } from '../crypto/field-encryption.service';
import { eventDataContext } from './event-data-context';
import type { EventRow } from './event-row';
import { LearningEventsRepository, type InsertOutcome } from './learning-events.repository';
import type { ValidEvent } from './learning-event.validator';
import { LearningMetrics } from './learning.metrics';

/** One valid item of a request on its way to storage. */
export interface PendingEvent {
  index: number;
  event: ValidEvent;
  /** Index of the first valid item with the same user and clientEventId in this batch. */
  sameAs?: number;
  row?: EventRow;
}

export interface WriteOutcome {
  /** Ids of the rows this request stored. */
  inserted: Set<string>;
  /** Users who consent now, as the database saw it under the statement's row locks. */
  consenting: Set<string>;
  /**
   * Users whose items could not be stored under their current data key: it changed again while they were sealed
   * once more, or the second write failed. Their items are answered with a retryable conflict.
   */
  staleKey: Set<string>;
}

/**
 * Seals a request's items under each user's data key and stores them. The database leaves out rows sealed under a
 * key that is no longer their user's (an instance's cached key, shredded by an erasure elsewhere, the user having
 * consented again since): those are sealed again under the current key, read past the cache, and written by a
 * second statement. Only then is a request written in two statements; if the second fails, the rows of the first
 * stay stored and the others are answered with a retryable conflict.
 */
@Injectable()
export class EventWriter {
  private readonly logger = new Logger(EventWriter.name);

  constructor(
    private readonly repository: LearningEventsRepository,
    private readonly encryption: FieldEncryptionService,
    private readonly blindIndex: BlindIndexService,
    private readonly metrics: LearningMetrics,
  ) {}

  /** Writes `items`; every row id stored is added to `stored` as soon as its statement committed. */
  async write(items: PendingEvent[], stored: Set<string>): Promise<WriteOutcome> {
    await this.seal(items);
    const first = await this.insert(items, stored);
    const stale = staleKeyUsers(items, first);
    if (stale.size === 0) return { inserted: first.inserted, consenting: first.consenting, staleKey: stale };
    const again = items.filter((p) => stale.has(p.event.userId) && !first.inserted.has(p.row!.id));
    for (const userId of stale) this.encryption.forgetCachedKey(userId);
    this.metrics.staleKeyResealed(again.length);
    try {
      await this.seal(again);
      const second = await this.insert(again, stored);
      const consenting = new Set([...first.consenting].filter((u) => !stale.has(u)));
      for (const u of second.consenting) consenting.add(u);
      return {
        inserted: new Set([...first.inserted, ...second.inserted]),
        consenting,
        staleKey: staleKeyUsers(again, second),
      };
    } catch (error) {
      this.logger.warn(
        `Sealing ${again.length} events again under their users' new data keys failed: ${errorMessage(error)}`,
      );
      return { inserted: first.inserted, consenting: first.consenting, staleKey: stale };
    }
  }

  private async insert(items: PendingEvent[], stored: Set<string>): Promise<InsertOutcome> {
    if (items.length === 0) return { inserted: new Set(), consenting: new Set(), currentKeys: new Map() };
    const outcome = await this.repository.insert(items.map((p) => p.row!));
    for (const id of outcome.inserted) stored.add(id);
    return outcome;
  }

  /** Seals every payload and computes signatures; one data-key lookup per user. */
  private async seal(items: PendingEvent[]): Promise<void> {
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

/**
 * Users of `items` (this request's own rows only: a shared statement carries other requests' rows too) with a row
 * that was not stored although they consent, sealed under another key than their stored one.
 */
export function staleKeyUsers(items: PendingEvent[], outcome: InsertOutcome): Set<string> {
  const stale = new Set<string>();
  for (const p of items) {
    const user = p.event.userId;
    if (outcome.inserted.has(p.row!.id) || !outcome.consenting.has(user)) continue;
    if (outcome.currentKeys.get(user) !== p.row!.keyId) stale.add(user);
  }
  return stale;
}
