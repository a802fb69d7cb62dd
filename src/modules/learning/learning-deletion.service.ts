import { Injectable } from '@nestjs/common';
import { isAdmin, selfUserId, type AuthUser } from '../../common/auth/auth-user';
import { RequestValidationError } from '../../common/errors/domain.error';
import { SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import { DataHolds } from '../consent/data-holds.service';
import { LearningEventsRepository } from './learning-events.repository';
import { EventDeletionInProgressError, EventNotFoundError, ForeignUserError } from './learning.errors';

/** What to delete: one event, or a user's events of a time range (of one module). */
export type EventDeletion = { id: string } | { userId?: string; from: Date; to: Date; module?: string };

/**
 * Deleting some of a user's events short of erasure: users their own, admins anyone's. Like erasure, it is refused
 * while a legal hold (any contributed data hold) keeps the user's data, and it is audited with what it removed (the
 * count and the range, never a payload). The next mining run no longer counts the events; patterns and insights
 * already published stay until then.
 */
@Injectable()
export class LearningDeletionService {
  constructor(
    private readonly sql: SqlPool,
    private readonly events: LearningEventsRepository,
    private readonly holds: DataHolds,
    private readonly audit: AuditService,
  ) {}

  async delete(deletion: EventDeletion, caller: AuthUser): Promise<{ deleted: number }> {
    const admin = isAdmin(caller);
    const byId = 'id' in deletion;
    if (!byId && !(deletion.from < deletion.to))
      throw new RequestValidationError([{ field: 'to', message: 'to must be after from' }]);
    const userId = byId ? await this.ownerOf(deletion.id, caller) : this.scope(deletion.userId, caller);
    const deleted = await this.sql.transaction(async (tx) => {
      if (!(await this.holds.tryLock(tx, userId))) throw new EventDeletionInProgressError();
      const held = await this.holds.heldBecause(tx, userId);
      if (held) throw held;
      const count = await this.events.deleteSome(tx, userId, deletion);
      await this.audit.recordIn(tx, {
        actor: admin ? caller.sub : userId,
        actorType: admin ? 'admin' : 'user',
        action: 'learning.events_deleted',
        target: userId,
        outcome: 'success',
        details: byId
          ? { eventId: deletion.id, count }
          : {
              from: deletion.from.toISOString(),
              to: deletion.to.toISOString(),
              module: deletion.module ?? null,
              count,
            },
      });
      return count;
    });
    if (byId && deleted === 0) throw new EventNotFoundError();
    return { deleted };
  }

  /** The owner of event `id` as the caller may see it: their own, or (admins) anyone's; else not found. */
  private async ownerOf(id: string, caller: AuthUser): Promise<string> {
    const owner = await this.events.ownerOf(id);
    if (!owner || (!isAdmin(caller) && owner !== selfUserId(caller))) throw new EventNotFoundError();
    return owner;
  }

  private scope(requested: string | undefined, caller: AuthUser): string {
    if (isAdmin(caller)) {
      if (!requested)
        throw new RequestValidationError([{ field: 'userId', message: 'userId is required: whose events to delete' }]);
      return requested.toLowerCase();
    }
    const self = selfUserId(caller);
    if (requested !== undefined && requested.toLowerCase() !== self) throw new ForeignUserError();
    return self;
  }
}
