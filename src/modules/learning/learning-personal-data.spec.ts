import type { ReadFrom, ReplicaRouter } from '../../database/replica-router';
import { DataShreddedError } from '../crypto/crypto.errors';
import type { FieldEncryptionService } from '../crypto/field-encryption.service';
import type { LearningEventsRepository, StoredEvent } from './learning-events.repository';
import { LearningPersonalData } from './learning-personal-data';

const USER = '0190c3f2-0000-7000-8000-000000000001';

function rows(from: number, count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      id: `0190c3f2-0000-7000-8000-${String(n).padStart(12, '0')}`,
      user_id: USER,
      event_type: 'interaction',
      module: 'm',
      action: 'a',
      session_id: null,
      client_event_id: `e-${n}`,
      timestamp: new Date(0),
      received_at: new Date(0),
      labels: null,
      payload: Buffer.alloc(0),
    } as unknown as StoredEvent;
  });
}

describe('LearningPersonalData.export with a read replica', () => {
  /** An export whose events the replica serves, page by page, unless `failOnPage` makes the replica fail there. */
  async function exportWith(source: ReadFrom, failOnPage?: number) {
    const reads: string[] = [];
    const repository = {
      userEventsAfter: jest.fn(async (_user: string, after: string | null, limit: number, from: string) => {
        const page = after === null ? 0 : Math.floor(Number(after.slice(-12)) / limit) + 1;
        reads.push(`${from}:${page}`);
        if (from === 'replica' && page === failOnPage) throw new Error('Connection terminated unexpectedly');
        return page < 2 ? rows(page * limit, limit) : rows(page * limit, 3);
      }),
    } as unknown as LearningEventsRepository;
    // A user whose data key is gone: events are exported without their data, no decryption needed here.
    const encryption = {
      cipherFor: jest.fn(() => Promise.reject(new DataShreddedError())),
    } as unknown as FieldEncryptionService;
    const replicas = {
      mark: jest.fn(async () => ({ lsn: '0/1', asOf: new Date() })),
      sourceFor: jest.fn(async () => ({ source })),
    } as unknown as ReplicaRouter;
    const exported: string[] = [];
    for await (const event of new LearningPersonalData(repository, encryption, replicas).export(USER))
      exported.push(event.clientEventId!);
    return { exported, reads, replicas };
  }

  it('reads every page from the source the router chose, as an export', async () => {
    const { exported, reads, replicas } = await exportWith('replica');
    expect(exported).toHaveLength(2003);
    expect(reads).toEqual(['replica:0', 'replica:1', 'replica:2']);
    expect(replicas.sourceFor).toHaveBeenCalledWith(expect.anything(), 'export');
  });

  it('goes on from the primary, at the page that failed, when the replica fails midway: no event lost or repeated', async () => {
    const { exported, reads } = await exportWith('replica', 1);
    expect(reads).toEqual(['replica:0', 'replica:1', 'primary:1', 'primary:2']);
    expect(exported).toHaveLength(2003);
    expect(new Set(exported).size).toBe(2003);
  });

  it('reads the primary throughout when the router chose it', async () => {
    const { reads } = await exportWith('primary');
    expect(reads).toEqual(['primary:0', 'primary:1', 'primary:2']);
  });
});
