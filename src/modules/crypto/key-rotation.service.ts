import { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { isAdmin } from '../../common/auth/auth-user';
import { AppConfig } from '../../config/app-config';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import { systemKeyContext } from './blind-index-root.loader';
import { RotationInProgressError, RotationTargetNotCurrentError } from './crypto.errors';
import { wrappedKeyContext } from './data-key.service';
import { DataKeyStore } from './data-key.store';
import { KeyRotation } from './entities/key-rotation.entity';
import { KeyRing } from './key-ring';
import { SystemKeyStore } from './system-key.store';

export const ROTATION_LOCK = 'ai-learning:crypto:key-rotation';
/** Passes over the table before giving up on keys that keep appearing under an old KEK (a misconfigured instance). */
const MAX_PASSES = 5;

/**
 * Moves every wrapped key to the current key-encryption key: rewraps in short batches (ingestion keeps
 * running: new keys are already wrapped by the current KEK), one rotation at a time across instances (a session
 * advisory lock on the one connection that does the work), and resumable — progress lives in the rows themselves, so a crashed or stopped rotation continues where the
 * next boot (or the next request) picks it up.
 */
@Injectable()
export class KeyRotationService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(KeyRotationService.name);
  private running?: Promise<void>;
  private pending?: string;
  private stopping = false;

  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlPool,
    private readonly dataKeys: DataKeyStore,
    private readonly systemKeys: SystemKeyStore,
    private readonly keyRing: KeyRing,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Starts a rotation to the current KEK, or returns the one already running (and makes sure it progresses).
   * `expectedTarget`, when given, must be this instance's current key: a request that reaches an instance still
   * configured with the old key is refused instead of rotating backwards.
   */
  async start(actor: AuthUser, expectedTarget?: string): Promise<KeyRotation> {
    const target = this.keyRing.currentKeyId;
    if (expectedTarget !== undefined && expectedTarget !== target)
      throw new RotationTargetNotCurrentError(expectedTarget, target);
    const em = this.em.fork();
    let rotation = await em.findOne(KeyRotation, { status: 'running' });
    if (rotation && rotation.targetKekId !== target) throw new RotationInProgressError(rotation.targetKekId, target);
    if (!rotation) {
      const keysTotal = (await this.dataKeys.countNotWrappedBy(target)) + (await this.systemKeysNotWrappedBy(target));
      const entry = {
        actor: actor.sub,
        actorType: isAdmin(actor) ? 'admin' : 'service',
        action: 'crypto.rotation.started',
      } as const;
      try {
        rotation = await em.transactional(async (tx) => {
          const created = tx.create(KeyRotation, {
            targetKekId: target,
            status: 'running',
            requestedBy: actor.sub,
            keysTotal,
            keysRewrapped: 0,
          });
          await this.audit.recordIn(tx, {
            ...entry,
            target: created.id,
            outcome: 'success',
            details: { targetKeyId: target, keysTotal },
          });
          return created;
        });
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        // Another instance started one at the same moment: that one is the rotation.
        return this.start(actor, expectedTarget);
      }
    }
    this.drive(rotation.id);
    return rotation;
  }

  /** Picks up a rotation left running by a stopped or crashed instance. */
  async resumeInterrupted(): Promise<void> {
    const rotation = await this.em.fork().findOne(KeyRotation, { status: 'running' });
    if (!rotation) return;
    if (rotation.targetKekId !== this.keyRing.currentKeyId) {
      this.logger.warn(
        `Rotation ${rotation.id} targets key ${rotation.targetKekId}, not this instance's current key; an instance with that current key must finish it`,
      );
      return;
    }
    this.logger.log(`Resuming key rotation ${rotation.id} to ${rotation.targetKekId}`);
    this.drive(rotation.id);
  }

  async latest(): Promise<KeyRotation | null> {
    const [rotation] = await this.em
      .fork()
      .find(KeyRotation, {}, { orderBy: { startedAt: 'desc', id: 'desc' }, limit: 1 });
    return rotation ?? null;
  }

  /** Resolves when this instance's rotation work (if any) has stopped; for tests and shutdown. */
  async settled(): Promise<void> {
    await this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Works on the rotation unless another instance holds the lock; a rotation asked for meanwhile runs next. */
  private drive(rotationId: string): void {
    if (this.stopping) return;
    if (this.running) {
      this.pending = rotationId;
      return;
    }
    this.running = this.sql
      .withSessionLock(ROTATION_LOCK, (client) => this.rewrapAll(client, rotationId))
      .then(() => undefined)
      .catch((error: Error) => this.logger.error(`Key rotation ${rotationId} stopped: ${error.message}`))
      .finally(() => {
        this.running = undefined;
        const next = this.pending;
        this.pending = undefined;
        if (next) this.drive(next);
      });
  }

  private async rewrapAll(client: PoolClient, rotationId: string): Promise<void> {
    const rotation = await this.em.fork().findOne(KeyRotation, rotationId);
    if (!rotation || rotation.status !== 'running') return;
    const target = rotation.targetKekId;
    let rewrapped = rotation.keysRewrapped;
    try {
      rewrapped += await this.systemKeys.rewrapAll(client, target, (k) =>
        this.rewrap(k.wrappedKey as Buffer, systemKeyContext(k.name), target),
      );
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        let after: string | null = null;
        do {
          if (this.stopping) {
            await this.progress(client, rotationId, rewrapped);
            return;
          }
          const batch = await this.dataKeys.rewrapBatch(
            client,
            target,
            after,
            this.config.crypto.rotationBatchSize,
            (k) => {
              try {
                return this.rewrap(k.wrappedKey, wrappedKeyContext(k.userId, k.keyId), target);
              } catch (error) {
                throw new Error(
                  `data key ${k.keyId} cannot be unwrapped (${(error as Error).message}); restore its row or shred its user, then rotate again`,
                  { cause: error },
                );
              }
            },
          );
          after = batch.lastUserId;
          rewrapped += batch.rewrapped;
          await this.progress(client, rotationId, rewrapped);
        } while (after);
        // Keys created behind the cursor by an instance with an older current KEK are caught by another pass.
        if ((await this.dataKeys.countNotWrappedBy(target)) + (await this.systemKeysNotWrappedBy(target)) === 0) {
          await this.finish(client, rotation, 'completed', rewrapped, null);
          return;
        }
      }
      throw new Error(
        `keys wrapped by other keys keep appearing after ${MAX_PASSES} passes: an instance still runs with another ENCRYPTION_KEY_ID`,
      );
    } catch (error) {
      await this.finish(client, rotation, 'failed', rewrapped, (error as Error).message);
      throw error;
    }
  }

  private rewrap(wrapped: Buffer, context: Parameters<KeyRing['unwrap']>[1], target: string): Buffer {
    const material = this.keyRing.unwrap(wrapped, context);
    try {
      return this.keyRing.wrap(material, context, target).wrapped;
    } finally {
      material.fill(0);
    }
  }

  private async systemKeysNotWrappedBy(kekId: string): Promise<number> {
    let n = 0;
    for (const [id, count] of await this.systemKeys.countByKek()) if (id !== kekId) n += count;
    return n;
  }

  private async progress(client: PoolClient, rotationId: string, rewrapped: number): Promise<void> {
    await client.query('UPDATE key_rotations SET keys_rewrapped = $2, updated_at = now() WHERE id = $1', [
      rotationId,
      rewrapped,
    ]);
  }

  private async finish(
    client: PoolClient,
    rotation: KeyRotation,
    status: 'completed' | 'failed',
    rewrapped: number,
    error: string | null,
  ): Promise<void> {
    await client.query(
      `UPDATE key_rotations SET status = $2, keys_rewrapped = $3, keys_total = GREATEST(keys_total, $3), last_error = $4, updated_at = now(), finished_at = now()
        WHERE id = $1`,
      [rotation.id, status, rewrapped, error],
    );
    await this.audit.record({
      actor: 'system',
      actorType: 'system',
      action: `crypto.rotation.${status}`,
      target: rotation.id,
      outcome: status === 'completed' ? 'success' : 'failure',
      details: {
        targetKeyId: rotation.targetKekId,
        keysRewrapped: rewrapped,
        ...(error ? { error: error.slice(0, 500) } : {}),
      },
    });
    if (status === 'completed')
      this.logger.log(
        `Key rotation ${rotation.id} completed: ${rewrapped} key(s) now wrapped by ${rotation.targetKekId}`,
      );
  }
}
