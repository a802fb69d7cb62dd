import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { DomainError } from '../../common/errors/domain.error';
import { PerKeySingleFlight } from '../../common/concurrency/per-key-single-flight';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import { FieldEncryptionService } from '../crypto/field-encryption.service';
import { ConsentGate } from './consent-gate.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { PrivacyRequestInProgressError } from './consent.errors';
import { ConsentMetrics } from './consent.metrics';
import { DataHolds } from './data-holds.service';
import { PersonalDataRegistry } from './personal-data';

/** One erasure of a user at a time across instances; tried, never waited for. */
const ERASURE_TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended('erasure:' || $1, 0)) AS locked";

export interface ErasureRequest {
  userId: string;
  requestedBy: { self: true } | { self: false; actor: string };
}

export interface ErasureReceipt {
  erasureId: string;
  erasedAt: Date;
  /** The keyed pseudonym that now stands for the user in the evidence kept (ledger, audit, receipts). */
  subject: string;
  /** What this request removed or pseudonymized, per data class (zeros when a repeat found nothing left). */
  counts: Record<string, number>;
}

/**
 * The right to be forgotten. In one transaction on one connection, serialized with consent changes and waiting for
 * in-flight ingest statements: checks the legal hold, deletes the data key (every ciphertext becomes unreadable when
 * it commits) and every registered source's records and the settings, rewrites the consent ledger and the audit
 * entries to the user's pseudonym, and stores a receipt that does not name the user; then evicts the data key from
 * every instance's cache. Repeating it is harmless: it finds nothing left.
 * One erasure per user at a time: a second one while the first runs (on this instance or another) is answered
 * 409 PRIVACY.IN_PROGRESS at once — waiting would hold a pooled connection per copy, and one user could starve
 * everyone else's requests. The locks it waits for (consent changes, ingest statements) belong to transactions
 * that need no further connection to finish.
 * A user whose data a contributed hold keeps (a legal hold: 409 RETENTION.LEGAL_HOLD) is refused, audited as
 * `privacy.erasure_refused`.
 */
@Injectable()
export class PrivacyErasureService {
  private readonly running = new PerKeySingleFlight(
    (requestId) => new PrivacyRequestInProgressError('erasure', requestId),
  );

  constructor(
    private readonly sql: SqlPool,
    private readonly registry: PersonalDataRegistry,
    private readonly encryption: FieldEncryptionService,
    private readonly ledger: ConsentLedgerService,
    private readonly gate: ConsentGate,
    private readonly audit: AuditService,
    private readonly metrics: ConsentMetrics,
    private readonly holds: DataHolds,
  ) {}

  erase(request: ErasureRequest): Promise<ErasureReceipt> {
    return this.running.run(request.userId, () => this.eraseOnce(request));
  }

  /**
   * First in the erasure's transaction, without waiting: another erasure of this user (on any instance), or a hold
   * of the user being placed or lifted, makes it answer 409 now rather than hold a connection. Then whether a
   * contributed hold (a legal hold) keeps the user's data.
   */
  private async lockAndCheckHolds(tx: PoolClient, userId: string): Promise<DomainError | null> {
    const { rows } = await tx.query<{ locked: boolean }>(ERASURE_TRY_LOCK, [userId]);
    if (!rows[0].locked) throw new PrivacyRequestInProgressError('erasure');
    if (!(await this.holds.tryLock(tx, userId))) throw new PrivacyRequestInProgressError('erasure');
    return this.holds.heldBecause(tx, userId);
  }

  private async eraseOnce(request: ErasureRequest): Promise<ErasureReceipt> {
    const { userId } = request;
    const subject = this.ledger.pseudonym(userId);
    const requestedBy = request.requestedBy.self ? 'self' : request.requestedBy.actor;
    const receipt = await this.sql.transaction(async (tx): Promise<ErasureReceipt | { held: DomainError }> => {
      const held = await this.lockAndCheckHolds(tx, userId);
      if (held) return { held };
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('consent:' || $1, 0))", [userId]);
      // Waits for direct-COPY writes in flight (see learning_consent_held); later ones find no consent.
      await tx.query('SELECT learning_consent_change_lock($1::uuid)', [userId]);
      // Waits for ingest statements holding the row FOR SHARE; later ones find no consent.
      await tx.query('SELECT 1 FROM user_privacy_settings WHERE user_id = $1 FOR UPDATE', [userId]);
      const shredded = await this.encryption.shredUserIn(tx, userId);
      const counts: Record<string, number> = {};
      for (const handler of this.registry.handlers) counts[handler.dataClass] = await handler.erase(userId, tx);
      counts.privacySettings =
        (await tx.query('DELETE FROM user_privacy_settings WHERE user_id = $1', [userId])).rowCount ?? 0;
      counts.dataKeys = shredded ? 1 : 0;
      await tx.query("SET LOCAL app.consent_erasure = 'on'");
      counts.consentRecordsPseudonymized =
        (await tx.query('UPDATE consent_records SET subject = $2 WHERE subject = $1', [userId, subject])).rowCount ?? 0;
      counts.auditEntriesPseudonymized = await this.audit.pseudonymizeIn(tx, userId, subject);
      const erasureId = uuidv7();
      const erasedAt = new Date();
      await tx.query(
        'INSERT INTO privacy_erasures (id, subject, requested_by, source, erased_at, counts) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          erasureId,
          subject,
          requestedBy,
          request.requestedBy.self ? 'user' : 'admin',
          erasedAt,
          JSON.stringify(counts),
        ],
      );
      return { erasureId, erasedAt, subject, counts };
    });
    // The user acts under their id until erased, under the pseudonym after; an admin under their own subject.
    const by = (self: string) =>
      request.requestedBy.self
        ? { actor: self, actorType: 'user' as const }
        : { actor: request.requestedBy.actor, actorType: 'admin' as const };
    if ('held' in receipt) {
      await this.audit.record({
        ...by(userId),
        action: 'privacy.erasure_refused',
        target: userId,
        outcome: 'denied',
        details: { reason: 'legal_hold' },
      });
      throw receipt.held;
    }
    // Evicts the key from every instance's cache; a write that fetched the key before the commit may have
    // recreated it, and stored nothing (no consent row any more), so its fresh key goes too.
    await this.encryption.shredUser(userId);
    await this.gate.changed(userId, false);
    this.metrics.erased(request.requestedBy.self ? 'self' : 'admin');
    await this.audit.record({
      ...by(subject),
      action: 'privacy.erased',
      target: subject,
      outcome: 'success',
      details: { erasureId: receipt.erasureId, counts: receipt.counts },
    });
    return receipt;
  }
}
