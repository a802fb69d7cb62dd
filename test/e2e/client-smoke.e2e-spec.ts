import { createClient } from '../../clients/typescript/src';
import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { newUserId } from '../support/ids';
import { useSuite } from '../support/suite';

/**
 * The smoke path of an integrator, through the generated TypeScript client (clients/typescript): when the contract
 * and the service part ways, this fails to compile or to run.
 */
describe('Smoke test through the typed client (e2e)', () => {
  const suite = useSuite();
  const baseUrl = 'http://service.test';
  /**
   * The client's requests handed to the app's HTTP stack in process (Fastify's inject: routing, hooks, guards,
   * serialization), so the suite leaves no socket behind; everything else is the client as an integrator uses it.
   */
  const fetchThroughApp: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const fastify = suite.t.app.getHttpAdapter().getInstance() as {
      inject(options: Record<string, unknown>): Promise<{
        statusCode: number;
        headers: Record<string, string | string[] | number | undefined>;
        rawPayload: Buffer;
      }>;
    };
    const answer = await fastify.inject({
      method: request.method,
      url: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      ...(request.body ? { payload: Buffer.from(await request.arrayBuffer()) } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    return new Response(answer.rawPayload.length > 0 ? answer.rawPayload : null, {
      status: answer.statusCode,
      headers,
    });
  };
  const client = (token?: string) => createClient(baseUrl, { token, fetch: fetchThroughApp });

  it('gets a token, records consent, sends and reads an event, and reads an error as a Problem', async () => {
    const anonymous = client();
    expect((await anonymous.GET('/health/live')).response.status).toBe(200);

    const credentials = await suite.t.app.get(ApiClientsService).create('smoke', ['service'], 'test');
    const issued = await anonymous.POST('/api/v1/auth/token', {
      body: { clientId: credentials.id, clientSecret: credentials.secret },
    });
    expect(issued.data?.tokenType).toBe('Bearer');
    const service = client(issued.data!.accessToken);

    const userId = newUserId();
    const consent = await service.PUT('/api/v1/consent/{userId}', {
      params: { path: { userId } },
      body: { allowCollectiveLearning: true, policyVersion: '2026-11' },
    });
    expect(consent.data).toMatchObject({ userId, allowCollectiveLearning: true });

    const sent = await service.POST('/api/v1/learning/events', {
      body: { userId, eventType: 'feedback', context: { module: 'editor', action: 'suggest' }, data: { rating: 5 } },
    });
    expect(sent.response.status).toBe(201);
    expect(sent.data?.status).toBe('accepted');

    const user = client(suite.t.token(userId, ['user']));
    const listed = await user.GET('/api/v1/learning/events', { params: { query: { limit: 10 } } });
    expect(listed.data?.items.map((e) => e.id)).toEqual([sent.data!.id]);

    const missing = await service.GET('/api/v1/patterns/{id}', { params: { path: { id: newUserId() } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ code: 'PATTERNS.NOT_FOUND', type: '/errors#patterns.not_found' });
  });
});
