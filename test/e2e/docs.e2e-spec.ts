import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSuiteDatabase } from '../setup/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

describe('OpenAPI documentation (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  beforeAll(async () => {
    db = await createSuiteDatabase();
    t = await createTestApp({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('serves the UI at /docs and the document at /docs-json without a token', async () => {
    expect((await t.http.get('/docs')).status).toBe(200);
    const res = await t.http.get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
  });

  it('serves exactly the committed openapi.json (UPDATE_OPENAPI=1 rewrites it after a deliberate change)', async () => {
    const served = `${JSON.stringify((await t.http.get('/docs-json')).body, null, 2)}\n`;
    const file = join(__dirname, '../../openapi.json');
    if (process.env.UPDATE_OPENAPI) writeFileSync(file, served);
    expect(served).toBe(readFileSync(file, 'utf8'));
  });

  it('declares every operation’s security, an id, and its problem+json answers', async () => {
    const doc = (await t.http.get('/docs-json')).body as {
      paths: Record<
        string,
        Record<
          string,
          { operationId: string; security: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }
        >
      >;
    };
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods)) {
        expect({ path, method, id: op.operationId }).toEqual({
          path,
          method,
          id: expect.stringMatching(/^[a-z][A-Za-z0-9]+$/),
        });
        ids.add(op.operationId);
        expect(Array.isArray(op.security)).toBe(true);
        for (const status of ['400', '429', '500', '503'])
          expect(op.responses[status]?.content?.['application/problem+json']).toBeDefined();
      }
    expect(ids.size).toBe(Object.values(doc.paths).flatMap((m) => Object.keys(m)).length);
    expect(doc.paths['/api/v1/auth/token'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/patterns'].get.security).toEqual([{ bearer: [] }]);
  });

  it('describes every route, marks bearer auth on protected ones, and documents query bounds', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/audit',
      '/api/v1/auth/clients/{id}',
      '/api/v1/auth/token',
      '/api/v1/consent/me',
      '/api/v1/consent/me/history',
      '/api/v1/consent/{userId}',
      '/api/v1/consent/{userId}/history',
      '/api/v1/crypto/rotate',
      '/api/v1/crypto/status',
      '/api/v1/insights',
      '/api/v1/insights/generate',
      '/api/v1/insights/runs',
      '/api/v1/insights/{id}',
      '/api/v1/learning/events',
      '/api/v1/learning/events/batch',
      '/api/v1/learning/events/{id}',
      '/api/v1/patterns',
      '/api/v1/patterns/mine',
      '/api/v1/patterns/predict',
      '/api/v1/patterns/runs',
      '/api/v1/patterns/{id}',
      '/api/v1/privacy/budget',
      '/api/v1/privacy/me',
      '/api/v1/privacy/me/export',
      '/api/v1/privacy/users/{userId}',
      '/api/v1/privacy/users/{userId}/export',
      '/api/v1/retention/holds',
      '/api/v1/retention/holds/{userId}',
      '/api/v1/retention/policies',
      '/api/v1/retention/run',
      '/api/v1/retention/runs',
      '/errors',
      '/health',
      '/health/live',
      '/health/ready',
    ]);
    // Pattern reads and predictions state their bounds too.
    const patternParams = doc.paths['/api/v1/patterns'].get.parameters as {
      name: string;
      schema: Record<string, unknown>;
    }[];
    expect(patternParams.find((p) => p.name === 'limit')?.schema).toMatchObject({ minimum: 1, maximum: 100 });
    expect(doc.components.schemas.PredictDto.properties.recentActions).toMatchObject({ minItems: 1, maxItems: 20 });
    const insightParams = doc.paths['/api/v1/insights'].get.parameters as {
      name: string;
      schema: Record<string, unknown>;
    }[];
    expect(insightParams.find((p) => p.name === 'minSignificance')?.schema).toMatchObject({ minimum: 0, maximum: 1 });
    // The event schema states its bounds to clients: one schema per event type, chosen by eventType.
    const schemas = doc.components.schemas;
    expect(schemas.LearningEvent.discriminator).toEqual({
      propertyName: 'eventType',
      mapping: {
        interaction: '#/components/schemas/InteractionEvent',
        feedback: '#/components/schemas/FeedbackEvent',
        correction: '#/components/schemas/CorrectionEvent',
        pattern_discovery: '#/components/schemas/PatternDiscoveryEvent',
      },
    });
    expect(schemas.FeedbackEvent.properties.eventType.enum).toEqual(['feedback']);
    expect(schemas.FeedbackEvent.properties.data.properties.rating).toMatchObject({ minimum: 1, maximum: 5 });
    expect(schemas.CorrectionEvent.properties.data.required).toEqual(['original', 'corrected']);
    expect(schemas.PatternDiscoveryEvent.properties.data.properties.items).toMatchObject({ minItems: 1, maxItems: 64 });
    expect(schemas.InteractionEvent.properties.clientEventId).toMatchObject({ maxLength: 128 });
    expect(schemas.InteractionEvent.properties.data.description).toContain('16384 bytes');
    expect(schemas.InteractionEvent.properties.context.properties.module.pattern).toBe('^[a-z0-9][a-z0-9_.-]{0,63}$');
    const body = doc.paths['/api/v1/learning/events'].post.requestBody.content['application/json'].schema;
    expect(body).toEqual({ $ref: '#/components/schemas/LearningEvent' });
    expect(doc.paths['/api/v1/audit'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/v1/auth/token'].post.security).toEqual([]); // public, and saying so
    const limit = doc.paths['/api/v1/audit'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 500 });
    expect(doc.components.schemas.TokenRequestDto.required).toEqual(['clientId', 'clientSecret']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('declares every path parameter as a uuid, as the routes check it', async () => {
    const doc = (await t.http.get('/docs-json')).body as {
      paths: Record<
        string,
        Record<string, { parameters?: { in: string; name: string; schema?: Record<string, unknown> }[] }>
      >;
    };
    const pathParams = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, op]) =>
        (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => ({ at: `${method} ${path} ${p.name}`, schema: p.schema })),
      ),
    );
    expect(pathParams.length).toBeGreaterThanOrEqual(8);
    expect(
      pathParams.filter((p) => p.schema?.type !== 'string' || p.schema?.format !== 'uuid').map((p) => p.at),
    ).toEqual([]);
  });
});
