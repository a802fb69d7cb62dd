import { newUserId } from './ids';
import type { TestApp } from './test-app';

/** Records consent (or its withdrawal) for `userId` through the API, as a service would. */
export async function setConsent(t: TestApp, userId: string, allow = true): Promise<void> {
  const res = await t.http
    .put(`/api/v1/consent/${userId}`)
    .set('authorization', `Bearer ${t.token('svc-test', ['service'])}`)
    .send({ allowCollectiveLearning: allow, policyVersion: '2026-11' });
  if (res.status !== 200) throw new Error(`consent change failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** `n` new users, each with consent recorded through the API. */
export async function consentingUsers(t: TestApp, n: number): Promise<string[]> {
  const users = Array.from({ length: n }, () => newUserId());
  for (const u of users) await setConsent(t, u);
  return users;
}

/**
 * Sends `events` through the batch route as a service, as many requests as the batch limit takes, and asserts that
 * every event was accepted.
 */
export async function ingestAll(t: TestApp, events: Record<string, unknown>[]): Promise<void> {
  const size = t.config.learning.batchMaxEvents;
  for (let at = 0; at < events.length; at += size) {
    const batch = events.slice(at, at + size);
    const res = await t.http
      .post('/api/v1/learning/events/batch')
      .set('authorization', `Bearer ${t.token('svc-test', ['service'])}`)
      .send({ events: batch });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: batch.length, rejected: 0 });
  }
}

/** An event of `eventType` by `userId` with this context and data (at `timestamp`, when given). */
export function learningEvent(
  userId: string,
  eventType: string,
  context: Record<string, unknown>,
  data: Record<string, unknown>,
  timestamp?: string,
): Record<string, unknown> {
  return { userId, eventType, context, data, ...(timestamp ? { timestamp } : {}) };
}

/** A valid event of each type; spread overrides over it. */
export function interaction(
  userId: string | undefined,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...(userId ? { userId } : {}),
    eventType: 'interaction',
    context: { module: 'editor', action: 'apply_suggestion', sessionId: 's-1' },
    data: { outcome: 'success', durationMs: 120, note: 'secret-plaintext-marker' },
    ...overrides,
  };
}

export function correction(
  userId: string,
  original: string,
  corrected: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    userId,
    eventType: 'correction',
    context: { module: 'editor', action: 'correct' },
    data: { original, corrected },
    ...overrides,
  };
}
