import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { isAdmin, selfUserId } from '../../common/auth/auth-user';
import { isUuidPosition, keysetPage, listRequest, pageFilters } from '../../common/pagination/keyset-page';
import { DataShreddedError } from '../crypto/crypto.errors';
import { FieldEncryptionService } from '../crypto/field-encryption.service';
import type { EventType } from './entities/learning-event.entity';
import { eventDataContext } from './event-data-context';
import { LearningEventsRepository, type StoredEvent } from './learning-events.repository';
import { ForeignUserError } from './learning.errors';

export interface EventQuery {
  userId?: string;
  eventType?: EventType;
  module?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

export interface EventView {
  id: string;
  userId: string;
  eventType: EventType;
  context: Record<string, string>;
  /** The decrypted `data`; null when the user's key was shredded (the event is being erased). */
  data: Record<string, unknown> | null;
  timestamp: string;
  receivedAt: string;
  clientEventId: string | null;
}

/** Reads events newest first with keyset cursors (no gaps or repeats while events arrive) and decrypted data. */
@Injectable()
export class LearningReadService {
  constructor(
    private readonly repository: LearningEventsRepository,
    private readonly encryption: FieldEncryptionService,
  ) {}

  async list(query: EventQuery, caller: AuthUser): Promise<{ items: EventView[]; nextCursor: string | null }> {
    const userId = this.scope(query.userId, caller);
    const page = await keysetPage(
      listRequest(
        query,
        {
          isPosition: isUuidPosition,
          fetch: (beforeId, n) =>
            this.repository.page(
              { userId, eventType: query.eventType, module: query.module, from: query.from, to: query.to, beforeId },
              n,
            ),
          positionOf: (row) => row.id,
        },
        { ...pageFilters(query), userId },
      ),
    );
    return { items: await Promise.all(page.items.map((row) => this.view(row))), nextCursor: page.nextCursor };
  }

  /** Decrypts one stored event into its API form. */
  async view(row: StoredEvent): Promise<EventView> {
    let data: Record<string, unknown> | null;
    try {
      data = await this.encryption.decryptJson<Record<string, unknown>>(
        eventDataContext(row.id, row.user_id),
        row.payload,
      );
    } catch (error) {
      if (!(error instanceof DataShreddedError)) throw error;
      data = null;
    }
    return toView(row, data);
  }

  /** Users list their own events; admins anyone's (or everyone's without `userId`). */
  private scope(requested: string | undefined, caller: AuthUser): string | undefined {
    if (isAdmin(caller)) return requested?.toLowerCase();
    const self = selfUserId(caller);
    if (requested !== undefined && requested.toLowerCase() !== self) throw new ForeignUserError();
    return self;
  }
}

export function toView(row: StoredEvent, data: Record<string, unknown> | null): EventView {
  const context: Record<string, string> = { ...(row.labels ?? {}), module: row.module, action: row.action };
  if (row.session_id !== null) context.sessionId = row.session_id;
  return {
    id: row.id,
    userId: row.user_id,
    eventType: row.event_type,
    context,
    data,
    timestamp: new Date(row.timestamp).toISOString(),
    receivedAt: new Date(row.received_at).toISOString(),
    clientEventId: row.client_event_id,
  };
}
