import type { AddressInfo } from 'node:net';
import { createClient } from '../../clients/typescript/src';
import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { newUserId } from '../support/ids';
import { useSuite } from '../support/suite';

/**
 * The smoke path of an integrator, through the generated TypeScript client (clients/typescript): when the contract
 * and the service part ways, this fails to compile or to run.
 */
describe('Smoke test through the typed client (e2e)', () => {
  const suite = useSuite({ env: { REDIS_URL: '' } });
  let baseUrl: string;
  beforeAll(async () => {
    await suite.t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(suite.t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  it('gets a token, records consent, sends and reads an event, and reads an error as a Problem', async () => {
    const anonymous = createClient(baseUrl);
    expect((await anonymous.GET('/health/live')).response.status).toBe(200);

    const credentials = await suite.t.app.get(ApiClientsService).create('smoke', ['service'], 'test');
    const issued = await anonymous.POST('/api/v1/auth/token', {
      body: { clientId: credentials.id, clientSecret: credentials.secret },
    });
    expect(issued.data?.tokenType).toBe('Bearer');
    const service = createClient(baseUrl, { token: issued.data!.accessToken });

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

    const user = createClient(baseUrl, { token: suite.t.token(userId, ['user']) });
    const listed = await user.GET('/api/v1/learning/events', { params: { query: { limit: 10 } } });
    expect(listed.data?.items.map((e) => e.id)).toEqual([sent.data!.id]);

    const missing = await service.GET('/api/v1/patterns/{id}', { params: { path: { id: newUserId() } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ code: 'PATTERNS.NOT_FOUND', type: '/errors#patterns.not_found' });
  });
});
