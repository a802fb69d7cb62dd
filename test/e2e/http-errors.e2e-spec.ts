import { createSuiteDatabase } from '../setup/test-database';
import { LEAKY_SECRET, ProbeController } from '../support/probe.controller';
import { createTestApp, type TestApp } from '../support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('HTTP input and errors (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;

  beforeAll(async () => {
    db = await createSuiteDatabase();
    t = await createTestApp({ databaseUrl: db.url, controllers: [ProbeController] });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const echo = () => t.http.post('/api/v1/test-probe/echo');

  it('accepts a valid body', async () => {
    const res = await echo().send({ count: 3, inner: { name: 'ok' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ count: 3, inner: { name: 'ok' } });
  });

  it('answers malformed JSON with 400 REQUEST.MALFORMED_JSON', async () => {
    const res = await echo().set('content-type', 'application/json').send('{"count": 3,');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED_JSON' });
  });

  it('names every unknown field, nested ones with their path', async () => {
    const res = await echo().send({ count: 3, inner: { name: 'ok', extra: 1 }, admin: true });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION.FAILED');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'admin', message: 'admin is not a known field' },
        { field: 'inner.extra', message: 'inner.extra is not a known field' },
      ]),
    );
  });

  it('names each field with a wrong type or out-of-bounds value, once', async () => {
    const res = await echo().send({ count: 'three', inner: { name: 'too-long-name' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['count', 'inner.name']);
  });

  it('answers a 2 MB body with 413', async () => {
    const res = await echo()
      .set('content-type', 'application/json')
      .send(JSON.stringify({ count: 1, pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('REQUEST.TOO_LARGE');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'answers a %s body with 415',
    async (type) => {
      const res = await echo().set('content-type', type).send('count=3');
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body.code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
    },
  );

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await t.http.get('/api/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ code: 'ROUTE.NOT_FOUND', instance: '/api/v1/no-such-thing' });
  });

  it('points every problem at its entry on the errors page the service serves', async () => {
    const problem = (await t.http.get('/api/v1/no-such-thing')).body as { type: string; code: string };
    expect(problem.type).toBe('/errors#route.not_found');
    const [path, fragment] = problem.type.split('#');
    const page = await t.http.get(path);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/markdown/);
    expect(page.text).toContain(`<a id="${fragment}"></a>`);
    expect(page.text).toContain('## ROUTE.NOT_FOUND');
  });

  it('answers an unexpected error with a bare 500 carrying the request id, never the message or a stack', async () => {
    const res = await t.http.get('/api/v1/test-probe/boom').set('x-request-id', 'req-abc-123');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      type: '/errors#internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      code: 'INTERNAL',
      instance: '/api/v1/test-probe/boom',
      requestId: 'req-abc-123',
    });
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain(LEAKY_SECRET);
    expect(res.text).not.toMatch(/at \w+ \(/);
  });

  it('stays up after every bad request', async () => {
    expect((await t.http.get('/health/live')).status).toBe(200);
  });

  it('echoes a sane x-request-id and replaces an unsafe one', async () => {
    const kept = await t.http.get('/health/live').set('x-request-id', 'abc.DEF-123');
    expect(kept.headers['x-request-id']).toBe('abc.DEF-123');
    const replaced = await t.http.get('/health/live').set('x-request-id', 'bad id <script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and no CORS grant by default', async () => {
    const res = await t.http.get('/health/live').set('origin', 'https://evil.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS (e2e)', () => {
  it('grants only the configured origins', async () => {
    const db = await createSuiteDatabase();
    const t = await createTestApp({ databaseUrl: db.url, env: { CORS_ORIGINS: 'https://app.example' } });
    try {
      const ok = await t.http.get('/health/live').set('origin', 'https://app.example');
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
      const other = await t.http.get('/health/live').set('origin', 'https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
      await db.drop();
    }
  });
});

describe('Graceful shutdown (e2e)', () => {
  it('lets an in-flight request finish while the app closes', async () => {
    const db = await createSuiteDatabase();
    const t = await createTestApp({ databaseUrl: db.url, controllers: [ProbeController] });
    await t.app.listen(0, '127.0.0.1');
    const url = await t.app.getUrl();
    try {
      const inFlight = fetch(`${url}/api/v1/test-probe/slow?ms=400`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = t.close();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ done: true });
      await closing;
    } finally {
      await db.drop();
    }
  });
});
