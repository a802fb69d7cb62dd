import type { EventType } from './entities/learning-event.entity';

/** One row ready to store: payload already sealed under the user's data key. */
export interface EventRow {
  id: string;
  userId: string;
  eventType: EventType;
  module: string;
  action: string;
  sessionId: string | null;
  clientEventId: string | null;
  timestamp: Date;
  labels: Record<string, string> | null;
  rating: number | null;
  sentiment: string | null;
  outcome: string | null;
  signature: string | null;
  payload: Buffer;
  keyId: string;
}
