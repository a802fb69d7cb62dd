import { Injectable, Logger } from '@nestjs/common';
import { PerKeySingleFlight } from '../../common/concurrency/per-key-single-flight';
import { SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { PrivacyRequestInProgressError } from './consent.errors';
import { ConsentMetrics } from './consent.metrics';
import { PersonalDataRegistry } from './personal-data';

export const EXPORT_FORMAT = 'ai-learning-export/1';
/** Serialized items are gathered into chunks of about this size before they are handed to the socket. */
const CHUNK_BYTES = 64 * 1024;

export interface ExportRequest {
  userId: string;
  /** Who asked: the user themselves, or an admin (by token subject). */
  requestedBy: { self: true } | { self: false; actor: string };
}

/**
 * The right of access and portability: one JSON document with the settings, the consent history, every record of
 * every registered personal-data source (decrypted) and the audit entries about the user (by id or pseudonym). Streamed in chunks:
 * sources are read page by page, so memory stays flat however much the user has.
 */
@Injectable()
export class PrivacyExportService {
  private readonly logger = new Logger(PrivacyExportService.name);
  private readonly running = new PerKeySingleFlight(
    (requestId) => new PrivacyRequestInProgressError('export', requestId),
  );

  constructor(
    private readonly ledger: ConsentLedgerService,
    private readonly registry: PersonalDataRegistry,
    private readonly sql: SqlPool,
    private readonly audit: AuditService,
    private readonly metrics: ConsentMetrics,
  ) {}

  /**
   * The export as UTF-8 chunks. Audited when it ends (complete or failed); a failure ends the stream early.
   * One export per user at a time on this instance: another one while it streams is refused (409) before any
   * byte is sent.
   */
  stream(request: ExportRequest): AsyncGenerator<string> {
    return this.running.stream(request.userId, () => this.streamOnce(request));
  }

  private async *streamOnce(request: ExportRequest): AsyncGenerator<string> {
    const { userId } = request;
    const by = request.requestedBy.self ? 'self' : 'admin';
    const counts: Record<string, number> = {};
    let outcome: 'success' | 'failure' = 'failure';
    try {
      const settings = await this.ledger.current(userId);
      const history = await this.ledger.history(userId);
      yield `{"format":${JSON.stringify(EXPORT_FORMAT)},"exportedAt":${JSON.stringify(new Date().toISOString())},"userId":${JSON.stringify(userId)},`;
      yield `"settings":${JSON.stringify(settings.updatedAt ? settings : null)},"consentHistory":${JSON.stringify(history)}`;
      for (const handler of this.registry.handlers) {
        yield `,${JSON.stringify(handler.dataClass)}:`;
        counts[handler.dataClass] = yield* this.array(handler.export(userId));
      }
      yield `,"auditEntries":`;
      counts.auditEntries = yield* this.array(this.auditEntries(userId));
      yield '}';
      outcome = 'success';
    } catch (error) {
      // Headers are gone already: the document ends unterminated, which a client detects as a failed export.
      this.logger.error(`Export failed: ${(error as Error).name}: ${(error as Error).message}`);
      throw error;
    } finally {
      this.metrics.exported(by, outcome);
      // Under the pseudonym, like every privacy.* entry: an export made after (or while) the user is erased must
      // not write their id back in clear.
      const pseudonym = this.ledger.pseudonym(userId);
      await this.audit.record({
        actor: request.requestedBy.self ? pseudonym : request.requestedBy.actor,
        actorType: request.requestedBy.self ? 'user' : 'admin',
        action: 'privacy.exported',
        target: pseudonym,
        outcome,
        details: { counts },
      });
    }
  }

  /** Writes `items` as a JSON array, in chunks; returns how many items there were. */
  private async *array(items: AsyncIterable<unknown>): AsyncGenerator<string, number> {
    let count = 0;
    let chunk = '[';
    for await (const item of items) {
      chunk += (count++ === 0 ? '' : ',') + JSON.stringify(item);
      if (chunk.length >= CHUNK_BYTES) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}]`;
    return count;
  }

  private auditEntries(userId: string): AsyncGenerator<Record<string, unknown>> {
    return this.audit.entriesNaming([userId, this.ledger.pseudonym(userId)]);
  }
}
