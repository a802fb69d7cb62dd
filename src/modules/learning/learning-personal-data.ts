import { Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { errorMessage } from '../../common/errors/error-message';
import { ReplicaRouter } from '../../database/replica-router';
import { PersonalDataSource, type PersonalDataHandler } from '../consent/personal-data';
import { CiphertextIntegrityError, DataShreddedError } from '../crypto/crypto.errors';
import { DataKeyMismatchError, FieldEncryptionService, type UserCipher } from '../crypto/field-encryption.service';
import { eventDataContext } from './event-data-context';
import { LearningEventsRepository, type StoredEvent } from './learning-events.repository';
import { toView, type EventView } from './learning-read.service';

const EXPORT_PAGE = 1000;

function parsePlaintext(plaintext: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
  } catch {
    // JSON.parse quotes the text it choked on: never let plaintext reach a log line.
    throw new CiphertextIntegrityError('the decrypted value is not JSON');
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Learning events as personal data: exported decrypted, page by page; erased and purged on withdrawal. With a read
 * replica, an export reads its pages there once the replica has replayed what the primary had when the export began
 * (`ReplicaRouter`), so it holds every event written before; a replica behind or down, or failing midway, leaves the
 * (rest of the) export to the primary.
 */
@PersonalDataSource()
@Injectable()
export class LearningPersonalData implements PersonalDataHandler {
  readonly dataClass = 'learningEvents';
  private readonly logger = new Logger(LearningPersonalData.name);

  constructor(
    private readonly repository: LearningEventsRepository,
    private readonly encryption: FieldEncryptionService,
    private readonly replicas: ReplicaRouter,
  ) {}

  async *export(userId: string): AsyncIterable<EventView> {
    let cipher: UserCipher | null = null;
    try {
      cipher = await this.encryption.cipherFor(userId, { create: false });
    } catch (error) {
      if (!(error instanceof DataShreddedError)) throw error;
    }
    let { source } = await this.replicas.sourceFor(await this.replicas.mark(), 'export');
    let after: string | null = null;
    for (;;) {
      let rows: StoredEvent[];
      try {
        rows = await this.repository.userEventsAfter(userId, after, EXPORT_PAGE, source);
      } catch (error) {
        if (source === 'primary') throw error;
        this.logger.warn(`An export reads the primary from here on: the replica failed (${errorMessage(error)})`);
        source = 'primary';
        continue;
      }
      for (const row of rows) {
        const context = eventDataContext(row.id, userId);
        let data: Record<string, unknown> | null = null;
        if (cipher) {
          try {
            data = parsePlaintext(cipher.open(context, row.payload));
          } catch (error) {
            // Another key (a recreate elsewhere) or a bad envelope: the careful path decides which.
            if (!(error instanceof DataKeyMismatchError)) throw error;
            data = await this.encryption
              .decryptJson<Record<string, unknown>>(context, row.payload)
              .catch((e: unknown) => {
                if (e instanceof DataShreddedError) return null;
                throw e;
              });
          }
        }
        yield toView(row, data);
      }
      if (rows.length < EXPORT_PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }

  erase(userId: string, tx: PoolClient): Promise<number> {
    return this.repository.deleteUser(tx, userId);
  }

  async withdraw(userId: string, action: 'delete' | 'exclude', tx: PoolClient): Promise<number> {
    // `exclude` keeps the events; miners read only events of users who consent now.
    return action === 'delete' ? this.repository.deleteUser(tx, userId) : 0;
  }
}
