import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WINSTON_MODULE_PROVIDER } from 'nest-winston';
import { Client } from 'pg';
import Transport from 'winston-transport';
import type { Logger } from 'winston';
import type { Response } from 'supertest';
import { startEmbeddedPostgres, type RunningDatabase } from '../../src/database/embedded-postgres';
import { useSuiteDatabase } from '../support/suite';
import { newUserId } from '../support/ids';
import { emptyRedisDatabase } from '../support/redis-modes';
import { interaction, setConsent } from '../support/learning';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ingest traffic that keeps a ledger: what was accepted (with its id), what answered 503 and must be retried. */
class IngestLoad {
  readonly accepted = new Map<string, string>();
  readonly retry = new Map<string, string>(); // clientEventId -> user
  readonly unexpected: string[] = [];
  readonly statuses = new Map<number, number>();
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(
    private readonly t: TestApp,
    private readonly users: string[],
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.users.map((user, w) => this.loop(user, w === 0));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Sends every event that answered 503 again, with the same clientEventId, in batches, until each is stored. */
  async retryAll(): Promise<void> {
    for (let round = 0; round < 20 && this.retry.size > 0; round++) {
      const byUser = new Map<string, string[]>();
      for (const [cid, user] of this.retry) byUser.set(user, [...(byUser.get(user) ?? []), cid]);
      for (const [user, cids] of byUser) {
        for (let i = 0; i < cids.length; i += 500)
          this.record(await this.batch(user, cids.slice(i, i + 500)), cids.slice(i, i + 500), user);
      }
      if (this.retry.size > 0) await sleep(500);
    }
  }

  private batch(user: string, cids: string[]): Promise<Response | Error> {
    return this.t.http
      .post('/api/v1/learning/events/batch')
      .timeout(10_000)
      .set('authorization', `Bearer ${this.t.token(user, ['user'])}`)
      .send({ events: cids.map((cid) => interaction(undefined, { clientEventId: cid })) })
      .then(
        (r) => r,
        (error: Error) => error,
      );
  }

  private single(user: string, cid: string): Promise<Response | Error> {
    return this.t.http
      .post('/api/v1/learning/events')
      .timeout(10_000)
      .set('authorization', `Bearer ${this.t.token(user, ['user'])}`)
      .send(interaction(undefined, { clientEventId: cid }))
      .then(
        (res) => res,
        (error: Error) => error,
      );
  }

  /** One client: a request at a time; after a 503 it waits a little, as Retry-After asks, and goes on with new events. */
  private async loop(user: string, batches: boolean): Promise<void> {
    while (this.running) {
      const cids = batches ? Array.from({ length: 10 }, () => `b-${this.seq++}`) : [`s-${this.seq++}`];
      const res = batches ? await this.batch(user, cids) : await this.single(user, cids[0]);
      this.record(res, cids, user);
      if (res instanceof Error || res.status === 503) await sleep(100);
    }
  }

  private record(res: Response | Error, cids: string[], user: string): void {
    if (res instanceof Error) {
      // No answer in 10 s (or none at all): the request's fate is unknown, so it is retried like a 503.
      this.unexpected.push(`no answer: ${res.message}`);
      for (const cid of cids) this.retry.set(cid, user);
      return;
    }
    this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
    if (res.status === 503) {
      if (
        res.body?.code !== 'DATABASE.UNAVAILABLE' ||
        res.body?.retryable !== true ||
        res.headers['retry-after'] !== '1'
      )
        this.unexpected.push(`503 ${JSON.stringify(res.body)}`);
      for (const cid of cids) this.retry.set(cid, user);
      return;
    }
    if (res.status === 200 && res.body.results) {
      res.body.results.forEach((r: { status: string; id?: string }, i: number) => {
        if (r.status === 'accepted' || r.status === 'duplicate') this.accept(cids[i], r.id!);
        else this.unexpected.push(`batch item ${r.status}`);
      });
      return;
    }
    if (res.status === 201 || res.status === 200) return this.accept(cids[0], res.body.id);
    this.unexpected.push(`${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }

  private accept(cid: string, id: string): void {
    const before = this.accepted.get(cid);
    if (before && before !== id) this.unexpected.push(`${cid} accepted as ${before} and again as ${id}`);
    this.accepted.set(cid, id);
    this.retry.delete(cid);
  }
}

describe('Faults: PostgreSQL stopped and restarted under load (e2e)', () => {
  let dir: string;
  let pg: RunningDatabase;
  let t: TestApp;
  const users = Array.from({ length: 3 }, () => newUserId());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ai-learning-faults-'));
    chmodSync(dir, 0o755); // as root the server runs as `postgres`, which must reach the folder
    pg = await startEmbeddedPostgres({ clusterDir: join(dir, 'pg'), database: 'faults_test' });
    t = await createTestApp({
      databaseUrl: pg.url,
      env: { DATABASE_POOL_MAX: '4' },
    });
    for (const user of users) await setConsent(t, user);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  let load: IngestLoad | undefined;
  afterEach(() => load?.stop());

  it('answers 503 retryable and not ready while it is down, recovers by itself, and loses nothing it accepted', async () => {
    load = new IngestLoad(t, users);
    load.start();
    await sleep(1000);
    const port = Number(new URL(pg.url).port);
    await pg.stop();
    await sleep(300);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database.status).toBe('down');
    expect((await t.http.get('/health/live')).status).toBe(200);
    await sleep(1000);
    pg = await startEmbeddedPostgres({ clusterDir: join(dir, 'pg'), database: 'faults_test', port });
    const back = await waitFor(
      async () => (await t.http.get('/health/ready')).status,
      (s) => s === 200,
      20_000,
      100,
    );
    expect(back).toBe(200);
    await sleep(1000); // load goes on after the recovery
    await load.stop();
    expect(load.statuses.get(503) ?? 0).toBeGreaterThan(0);
    await load.retryAll();

    expect(load.unexpected).toEqual([]);
    expect(load.retry.size).toBe(0);
    expect(load.accepted.size).toBeGreaterThan(50);
    const check = new Client({ connectionString: pg.url });
    await check.connect();
    try {
      const rows = (
        await check.query<{ id: string; client_event_id: string }>(
          'SELECT id, client_event_id FROM global_learning_events',
        )
      ).rows;
      // Every accepted event is stored, once, under the id the service answered; nothing else is stored.
      expect(rows).toHaveLength(load.accepted.size);
      expect(new Map(rows.map((r) => [r.client_event_id, r.id]))).toEqual(load.accepted);
    } finally {
      await check.end();
    }
  }, 90_000);
});

const REDIS_URL = process.env.REDIS_URL;

(REDIS_URL ? describe : describe.skip)('Faults: Redis down (e2e)', () => {
  const suite = useSuiteDatabase();
  let proxy: TcpProxy;
  let t: TestApp;
  let lines: string[] = [];

  beforeAll(async () => {
    const target = new URL(REDIS_URL!);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
    t = await createTestApp({
      databaseUrl: suite.db.url,
      env: {
        // A database of its own: its 6-per-minute limits count only its own requests.
        REDIS_URL: await emptyRedisDatabase(REDIS_URL!, 15, `redis://127.0.0.1:${proxy.port}`),
        THROTTLE_LIMIT: '6',
        THROTTLE_TTL_SECONDS: '60',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      },
    });
    // Every log line the app writes, as winston hands it to its transports.
    const logger = t.app.get<Logger>(WINSTON_MODULE_PROVIDER);
    logger.add(
      new Transport({
        log(info: { message: string }, done: () => void) {
          lines.push(`${info.message}\n`);
          done();
        },
      }),
    );
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('keeps serving with in-memory cache and rate limits, says so in health and logs, and reconnects', async () => {
    const user = newUserId();
    const token = `Bearer ${t.token(user, ['user'])}`;
    await setConsent(t, user);
    expect((await t.http.get('/health')).body).toMatchObject({ status: 'healthy', redis: { status: 'up' } });
    lines = [];

    await proxy.cut();
    // Reads and writes go on, promptly.
    const started = Date.now();
    expect((await t.http.get('/api/v1/patterns').set('authorization', token)).status).toBe(200);
    expect((await t.http.get('/api/v1/patterns').set('authorization', token)).status).toBe(200);
    expect(
      (await t.http.post('/api/v1/learning/events').set('authorization', token).send(interaction(undefined))).status,
    ).toBe(201);
    expect(Date.now() - started).toBeLessThan(3000);
    // Rate limits still hold, in this instance (6 per route and minute: the 7th is refused).
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await t.http.get('/api/v1/consent/me').set('authorization', token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const health = await t.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', redis: { status: 'down' } });
    expect((await t.http.get('/health/ready')).status).toBe(200);
    expect(lines.join('')).toMatch(/Rate limits kept in this instance only/);
    const logged = await waitFor(
      async () => lines.join(''),
      (text) => /Redis connection problem/.test(text),
      5_000,
      100,
    );
    expect(logged).toMatch(/Redis connection problem/);

    await proxy.restore();
    const status = await waitFor(
      async () => (await t.http.get('/health')).body.status,
      (s) => s === 'healthy',
      15_000,
      200,
    );
    expect(status).toBe('healthy');
    await waitFor(
      async () => lines.join(''),
      (text) => /Redis connection restored/.test(text),
      5_000,
      100,
    );
    expect(lines.join('')).toMatch(/Redis connection restored/);
    // Limits are shared through Redis again: a new caller's requests are counted there.
    const other = `Bearer ${t.token(newUserId(), ['user'])}`;
    expect((await t.http.get('/api/v1/consent/me').set('authorization', other)).status).toBe(200);
    await waitFor(
      async () => lines.join(''),
      (text) => /Rate limits shared through Redis again/.test(text),
      5_000,
      100,
    );
    expect(lines.join('')).toMatch(/Rate limits shared through Redis again/);
  }, 60_000);
});
