import type { AuthUser } from '../../src/common/auth/auth-user';
import { LearningIngestService } from '../../src/modules/learning/learning-ingest.service';
import type { BenchApp } from './bench-app';

/**
 * `count` interactions of one consenting user (200 bytes of text each, sessions of 50), loaded through the real
 * ingest service in batches of 1,000: encrypted as every event is, for the export benchmarks.
 */
export async function loadUserEvents(bench: BenchApp, user: string, count: number, caller: AuthUser): Promise<void> {
  const ingest = bench.app.get(LearningIngestService);
  for (let done = 0; done < count; done += 1000) {
    const events = Array.from({ length: Math.min(1000, count - done) }, (_, i) => ({
      userId: user,
      eventType: 'interaction',
      context: { module: 'editor', action: `action_${i % 20}`, sessionId: `s-${Math.floor((done + i) / 50)}` },
      data: { outcome: 'success', durationMs: i, text: 'x'.repeat(200) },
      clientEventId: `e-${done + i}`,
    }));
    const result = await ingest.ingestBatch(events, caller);
    if (result.accepted !== events.length)
      throw new Error(`ingest refused events: ${JSON.stringify(result.results.find((r) => r.status !== 'accepted'))}`);
  }
}
