import { WINSTON_MODULE_PROVIDER } from 'nest-winston';
import type { Logger } from 'winston';
import Transport from 'winston-transport';
import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { ProbeController } from '../support/probe.controller';
import { createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Structured logging (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  let lines: string[];

  beforeAll(async () => {
    db = await createSuiteDatabase();
    t = await createTestApp({
      databaseUrl: db.url,
      env: { LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      controllers: [ProbeController],
    });
    // Every line the app writes, as its transports get it (formatted: the JSON text itself); the output muted.
    const logger = t.app.get<Logger>(WINSTON_MODULE_PROVIDER);
    for (const transport of logger.transports) transport.silent = true;
    logger.add(
      new Transport({
        log(info: Record<symbol, unknown>, done: () => void) {
          lines.push(`${String(info[Symbol.for('message')])}\n`);
          done();
        },
      }),
    );
  });
  beforeEach(() => {
    lines = [];
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const entries = () =>
    lines
      .flatMap((l) => l.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes one JSON access line per request with method, route template, status, duration and request id', async () => {
    await t.http
      .get('/api/v1/audit')
      .set('authorization', `Bearer ${t.token(newUserId(), ['admin'])}`)
      .set('x-request-id', 'log-test-1')
      .query({ actor: 'someone' });
    const access = entries().filter((e) => e.context === 'HTTP');
    expect(access).toEqual([
      expect.objectContaining({
        level: 'info',
        requestId: 'log-test-1',
        method: 'GET',
        route: '/api/v1/audit',
        status: 200,
        durationMs: expect.any(Number),
        timestamp: expect.any(String),
      }),
    ]);
  });

  it('logs an unexpected error once with its request id, with credentials cut out of message and stack', async () => {
    await t.http.get('/api/v1/test-probe/boom').set('x-request-id', 'boom-1');
    const errors = entries().filter((e) => e.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ context: 'ProblemDetails', requestId: 'boom-1' })]);
    expect(JSON.stringify(errors[0].stack)).toMatch(/ProbeController/);
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('never logs tokens, client secrets or the authorization header', async () => {
    const client = await t.app.get(ApiClientsService).create('log-client', ['service']);
    const token = (await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: client.secret }))
      .body.accessToken;
    await t.http.get('/api/v1/audit').set('authorization', `Bearer ${token}`);
    await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: 'wrong-secret-value' });
    const all = lines.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(client.secret);
    expect(all).not.toContain(token);
    expect(all).not.toContain('wrong-secret-value');
    expect(all.toLowerCase()).not.toContain('bearer ');
  });
});
