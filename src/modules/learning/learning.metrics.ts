import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../observability/metrics.service';

export type IngestRoute = 'single' | 'batch';
export type IngestOutcome = 'accepted' | 'duplicate' | 'rejected';

export interface IngestTally {
  add(eventType: string, outcome: IngestOutcome, reason?: string): void;
  flush(): void;
}

/** Ingestion counters by event type and outcome (rejections by error code) and the ingest latency. No user ids. */
@Injectable()
export class LearningMetrics {
  private readonly events: Counter<'event_type' | 'outcome' | 'reason'>;
  private readonly latency: Histogram<'route'>;
  private readonly resealed: Counter;

  constructor(metrics: MetricsService) {
    this.events = metrics.counter({
      name: 'learning_events_total',
      help: 'Learning events received, by event type and outcome (accepted, duplicate, rejected) and rejection reason',
      labelNames: ['event_type', 'outcome', 'reason'],
    });
    this.latency = metrics.histogram({
      name: 'learning_ingest_duration_seconds',
      help: 'Time to validate, seal and store one ingest request (single event or batch)',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.resealed = metrics.counter({
      name: 'learning_events_resealed_total',
      help: 'Events sealed again because the data key this instance had cached was no longer the user’s (shredded elsewhere)',
    });
  }

  staleKeyResealed(events: number): void {
    this.resealed.inc(events);
  }

  /** A request's counts, added up by label set and handed to prom-client once per set (not once per event). */
  tally(): IngestTally {
    const counts = new Map<string, { eventType: string; outcome: IngestOutcome; reason: string; n: number }>();
    return {
      add: (eventType, outcome, reason = '') => {
        const key = `${eventType}|${outcome}|${reason}`;
        const entry = counts.get(key);
        if (entry) entry.n += 1;
        else counts.set(key, { eventType, outcome, reason, n: 1 });
      },
      flush: () => {
        for (const c of counts.values())
          this.events.inc({ event_type: c.eventType, outcome: c.outcome, reason: c.reason }, c.n);
        counts.clear();
      },
    };
  }

  startTimer(route: IngestRoute): () => void {
    const end = this.latency.startTimer({ route });
    return () => void end();
  }
}
