import type { TestApp } from './test-app';

/** Records consent (or its withdrawal) for `userId` through the API, as a service would. */
export async function setConsent(t: TestApp, userId: string, allow = true): Promise<void> {
  const res = await t.http
    .put(`/api/v1/consent/${userId}`)
    .set('authorization', `Bearer ${t.token('svc-test', ['service'])}`)
    .send({ allowCollectiveLearning: allow, policyVersion: '2026-11' });
  if (res.status !== 200) throw new Error(`consent change failed: ${res.status} ${JSON.stringify(res.body)}`);
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
