import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { PoolClient } from 'pg';
import type { AuthUser } from '../../common/auth/auth-user';
import { isAdmin } from '../../common/auth/auth-user';
import { PerKeySerialQueue } from '../../common/concurrency/per-key-serial-queue';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { AppConfig } from '../../config/app-config';
import { SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import { BlindIndexService } from '../crypto/blind-index.service';
import { consentRecordHash } from './consent-chain';
import { ConsentGate } from './consent-gate.service';
import { ConsentChangesQueuedError } from './consent.errors';
import { ConsentMetrics } from './consent.metrics';
import { CONSENT_WITHDRAWN, type ConsentWithdrawnEvent } from './consent.events';
import { DataHolds } from './data-holds.service';
import { PersonalDataRegistry } from './personal-data';
import type { ConsentSource } from './entities/consent-record.entity';

export const COLLECTIVE_LEARNING = 'collective_learning';

export interface ConsentState {
  userId: string;
  allowCollectiveLearning: boolean;
  policyVersion: string | null;
  updatedAt: Date | null;
}

export interface ConsentChange {
  allowCollectiveLearning: boolean;
  policyVersion: string;
}

export interface LedgerRecord {
  id: string;
  purpose: string;
  granted: boolean;
  policyVersion: string;
  source: ConsentSource;
  actor: string;
  recordedAt: Date;
  hash: string;
}

/** A ledger record as its subject's receipt: with the hash it chains to and whether the chain holds up to it. */
export interface ConsentReceipt extends LedgerRecord {
  prevHash: string | null;
  /** The chain recomputes from the user's first record up to and including this one. */
  verified: boolean;
}

/** A ledger row as read back: the record and the hash it chains to. */
interface RecordRow extends LedgerRecord {
  prevHash: string | null;
}

/**
 * Current consent and its append-only, hash-chained ledger. Changes of one user are serialized by a transaction
 * advisory lock, so the chain never forks; a no-op change (same answer, same policy version) records nothing.
 */
@Injectable()
export class ConsentLedgerService {
  /** One user's changes wait for each other here, not on pooled connections; at most 4 per user per instance. */
  private readonly changes = new PerKeySerialQueue(4, () => new ConsentChangesQueuedError());

  constructor(
    private readonly sql: SqlPool,
    private readonly blindIndex: BlindIndexService,
    private readonly gate: ConsentGate,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    private readonly config: AppConfig,
    private readonly personalData: PersonalDataRegistry,
    private readonly metrics: ConsentMetrics,
    private readonly holds: DataHolds,
  ) {}

  /**
   * When consent was last taken away from anything already counted: the latest withdrawal or erasure of any user
   * (null when there was none). A mining run whose miner failed retires that miner's patterns last counted before
   * it, since their support can no longer be vouched for.
   */
  async lastRevocation(): Promise<Date | null> {
    const [row] = await this.sql.query<{ at: Date | null }>(
      `SELECT greatest((SELECT max(recorded_at) FROM consent_records WHERE NOT granted),
                       (SELECT max(erased_at) FROM privacy_erasures)) AS at`,
    );
    return row?.at ?? null;
  }

  /** The keyed pseudonym that stands for a user in evidence kept after erasure. */
  pseudonym(userId: string): string {
    return `p:${this.blindIndex.compute('pseudonym', userId)}`;
  }

  async current(userId: string): Promise<ConsentState> {
    const rows = await this.sql.query<{ allow: boolean; policy_version: string; updated_at: string | Date }>(
      'SELECT allow_collective_learning AS allow, policy_version, updated_at FROM user_privacy_settings WHERE user_id = $1',
      [userId],
    );
    const row = rows[0];
    // The ORM's pool hands timestamps over as text.
    return {
      userId,
      allowCollectiveLearning: row?.allow ?? false,
      policyVersion: row?.policy_version ?? null,
      updatedAt: row ? new Date(row.updated_at) : null,
    };
  }

  /** The user's ledger, oldest first. */
  async history(userId: string): Promise<LedgerRecord[]> {
    return (await this.records(userId)).map(({ prevHash: _chainedTo, ...record }) => record);
  }

  /** Recomputes the user's chain; false when any record was altered, removed or reordered. */
  async verifyChain(userId: string): Promise<boolean> {
    return (await this.receipts(userId)).every((r) => r.verified);
  }

  /**
   * The user's ledger, oldest first, each record with whether the chain recomputes up to it: from the first record
   * that was altered, removed or reordered on, none verifies.
   */
  async receipts(userId: string): Promise<ConsentReceipt[]> {
    const pseudonym = this.pseudonym(userId);
    let prev: string | null = null;
    let intact = true;
    return (await this.records(userId)).map((r) => {
      intact &&= r.prevHash === prev && r.hash === consentRecordHash(prev, { ...r, pseudonym });
      prev = r.hash;
      return { ...r, verified: intact };
    });
  }

  /** Applies a change requested by `caller` for `userId` (`viaSelf`: the /me routes). */
  change(userId: string, change: ConsentChange, caller: AuthUser, viaSelf: boolean): Promise<ConsentState> {
    return this.changes.run(userId, () => this.changeNow(userId, change, caller, viaSelf));
  }

  private async changeNow(
    userId: string,
    change: ConsentChange,
    caller: AuthUser,
    viaSelf: boolean,
  ): Promise<ConsentState> {
    const source: ConsentSource = viaSelf ? 'user' : isAdmin(caller) ? 'admin' : 'service';
    const actor = viaSelf || caller.sub.toLowerCase() === userId ? 'self' : caller.sub;
    const outcome = await this.sql.transaction(async (client) => {
      const result = await this.record(client, userId, change, source, actor);
      // In the transaction, so an erasure (which waits for it) finds and pseudonymizes this entry too.
      if (result.changed) {
        await this.audit.recordIn(client, {
          actor: caller.sub,
          actorType: source === 'user' ? 'user' : source,
          action: change.allowCollectiveLearning ? 'consent.granted' : 'consent.withdrawn',
          target: userId,
          outcome: 'success',
          details: {
            purpose: COLLECTIVE_LEARNING,
            policyVersion: change.policyVersion,
            ...(result.withdrawn ? { action: result.action, removed: result.removed } : {}),
          },
        });
      }
      return result;
    });
    if (!outcome.changed) return outcome.state;
    await this.gate.changed(userId, change.allowCollectiveLearning);
    if (outcome.withdrawn) {
      this.metrics.withdrawn(source);
      const event: ConsentWithdrawnEvent = {
        userId,
        purpose: COLLECTIVE_LEARNING,
        action: outcome.action ?? this.config.consent.withdrawalAction,
        at: outcome.state.updatedAt as Date,
      };
      await this.events.emitAsync(CONSENT_WITHDRAWN, event);
    }
    return outcome.state;
  }

  private async record(
    client: PoolClient,
    userId: string,
    change: ConsentChange,
    source: ConsentSource,
    actor: string,
  ) {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('consent:' || $1, 0))", [userId]);
    // Taking consent away waits for the direct-COPY writes in flight (see learning_consent_held); grants need not.
    if (!change.allowCollectiveLearning) await client.query('SELECT learning_consent_change_lock($1::uuid)', [userId]);
    const { rows: settings } = await client.query<{
      allow: boolean;
      policy_version: string;
      updated_at: string | Date;
    }>(
      'SELECT allow_collective_learning AS allow, policy_version, updated_at FROM user_privacy_settings WHERE user_id = $1',
      [userId],
    );
    const before = settings[0];
    if (before && before.allow === change.allowCollectiveLearning && before.policy_version === change.policyVersion) {
      const state: ConsentState = {
        userId,
        allowCollectiveLearning: before.allow,
        policyVersion: before.policy_version,
        updatedAt: new Date(before.updated_at),
      };
      return { changed: false, withdrawn: false, removed: {}, state };
    }
    const { rows: last } = await client.query<{ hash: string }>(
      'SELECT hash FROM consent_records WHERE subject = $1 AND purpose = $2 ORDER BY recorded_at DESC, id DESC LIMIT 1',
      [userId, COLLECTIVE_LEARNING],
    );
    const prevHash = last[0]?.hash ?? null;
    const recordedAt = new Date();
    const fields = {
      pseudonym: this.pseudonym(userId),
      purpose: COLLECTIVE_LEARNING,
      granted: change.allowCollectiveLearning,
      policyVersion: change.policyVersion,
      source,
      actor,
      recordedAt,
    };
    await client.query(
      `INSERT INTO consent_records (id, subject, purpose, granted, policy_version, source, actor, recorded_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        uuidv7(),
        userId,
        COLLECTIVE_LEARNING,
        change.allowCollectiveLearning,
        change.policyVersion,
        source,
        actor,
        recordedAt,
        prevHash,
        consentRecordHash(prevHash, fields),
      ],
    );
    await client.query(
      `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET allow_collective_learning = EXCLUDED.allow_collective_learning, policy_version = EXCLUDED.policy_version, updated_at = EXCLUDED.updated_at`,
      [userId, change.allowCollectiveLearning, change.policyVersion, recordedAt],
    );
    const state: ConsentState = {
      userId,
      allowCollectiveLearning: change.allowCollectiveLearning,
      policyVersion: change.policyVersion,
      updatedAt: recordedAt,
    };
    const withdrawn = before?.allow === true && !change.allowCollectiveLearning;
    // In the same transaction: the bucket lock and the update above wait for in-flight ingest writes (they hold
    // the bucket shared or the settings row FOR SHARE) and later ones see the withdrawal, so nothing is stored
    // after this purge.
    const removed: Record<string, number> = {};
    // A user under legal hold keeps their data: the withdrawal then excludes it from mining instead of deleting it.
    const held = withdrawn && (await this.holds.heldBecause(client, userId)) !== null;
    const action = held ? 'exclude' : this.config.consent.withdrawalAction;
    if (withdrawn) {
      // Whatever the handlers keep (`exclude`) stays out of mining for good, also after a later grant.
      await client.query('UPDATE user_privacy_settings SET mining_excluded_before = $2 WHERE user_id = $1', [
        userId,
        recordedAt,
      ]);
      for (const handler of this.personalData.handlers) {
        if (handler.withdraw) removed[handler.dataClass] = await handler.withdraw(userId, action, client);
      }
    }
    return { changed: true, withdrawn, removed, state, action };
  }

  private async records(userId: string): Promise<RecordRow[]> {
    const rows = await this.sql.query<RecordRow>(
      `SELECT id, purpose, granted, policy_version AS "policyVersion", source, actor, recorded_at AS "recordedAt",
              prev_hash AS "prevHash", hash
         FROM consent_records WHERE subject = $1 ORDER BY recorded_at, id`,
      [userId],
    );
    return rows.map((r) => ({ ...r, recordedAt: new Date(r.recordedAt) }));
  }
}
