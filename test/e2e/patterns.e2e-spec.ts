import { newUserId } from '../support/ids';
import { ChannelMiner, channelVisit, ExtraMinerModule } from '../support/extra-miner.module';
import { consentingUsers, ingestAll, learningEvent, setConsent } from '../support/learning';
import { expectRunRequestAudited, expectSecondStartRefused } from '../support/runs';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { encodeCursor } from '../../src/common/pagination/cursor';
import { uuidv7 } from '../../src/common/ids/uuid-v7';
import { inTransaction, SqlPool } from '../../src/database/sql-pool.service';
import { PatternsRepository } from '../../src/modules/patterns/patterns.repository';
import { withTestApps } from '../support/test-app';

const K = 3;
const DAY = 86_400_000;

describe('Patterns: mining runs, miners and reads (e2e)', () => {
  const suite = useSuite({
    env: { MIN_USER_SUPPORT: String(K), MINING_MAX_OCCURRENCES_PER_USER: '10' },
    imports: [ExtraMinerModule],
  });
  let t: TestApp;
  beforeAll(() => ({ t } = suite));
  afterEach(() => {
    ChannelMiner.control.mode = 'ok';
    ChannelMiner.control.gate.release();
  });

  const admin = () => `Bearer ${t.token('admin-1', ['admin'])}`;
  const service = () => `Bearer ${t.token('svc-patterns', ['service'])}`;
  let clock = Date.now() - 2 * DAY;
  /** Strictly increasing timestamps, so the order of a session's actions is the order they are listed in. */
  const at = () => new Date((clock += 1000)).toISOString();

  /** Sends events as a service; every one must be accepted. */
  const ingest = (events: Record<string, unknown>[]) => ingestAll(t, events);

  /** One visit of each user on `channel`, which ChannelMiner counts. */
  const visits = (users: string[], module: string, channel: string) =>
    users.map((u) => channelVisit(u, module, channel, at()));

  const session = (userId: string, module: string, sessionId: string, actions: string[]) =>
    actions.map((action) => ({
      userId,
      eventType: 'interaction',
      context: { module, action, sessionId },
      data: { outcome: 'success' },
      timestamp: at(),
    }));

  /** Starts a run and waits for it to finish; returns the finished run. */
  async function mine(): Promise<Record<string, any>> {
    const res = await t.http.post('/api/v1/patterns/mine').set('authorization', admin());
    expect(res.status).toBe(202);
    const runId = res.body.runId as string;
    await expectRunRequestAudited(t, 'patterns.run_requested', runId);
    const run = await waitFor(
      () => runById(runId),
      (r) => r !== undefined && r.status !== 'running',
      20_000,
    );
    expect(run?.status).not.toBe('running');
    return run!;
  }

  async function runById(runId: string): Promise<Record<string, any> | undefined> {
    const runs = await t.http.get('/api/v1/patterns/runs?limit=100').set('authorization', admin());
    return runs.body.items.find((r: { id: string }) => r.id === runId);
  }

  /** Published patterns as a service reads them; retired ones as only an admin may. */
  async function patterns(query: string): Promise<Record<string, any>[]> {
    const auth = query.includes('status=retired') ? admin() : service();
    const res = await t.http.get(`/api/v1/patterns?limit=100&${query}`).set('authorization', auth);
    expect(res.status).toBe(200);
    return res.body.items;
  }

  describe('sequence miner', () => {
    it('counts distinct users per contiguous sequence, caps a heavy user, and scores confidence within its context', async () => {
      const [a, b, c, d, e, heavy] = await consentingUsers(t, 6);
      await ingest([
        ...session(a, 'seq', 's1', ['open', 'edit', 'save']),
        ...session(b, 'seq', 's1', ['open', 'edit', 'save']),
        ...session(c, 'seq', 's1', ['open', 'edit', 'save']),
        ...session(d, 'seq', 's1', ['open', 'edit']),
        ...session(e, 'seq', 's1', ['open', 'save']),
        // Sessions split sequences: no edit>open across these.
        ...Array.from({ length: 20 }, (_, i) => session(heavy, 'seq', `h${i}`, ['open', 'edit'])).flat(),
        // One user alone, however often, publishes nothing.
        ...session(
          heavy,
          'seq',
          'solo',
          Array.from({ length: 30 }, (_, i) => (i % 2 ? 'ping' : 'pong')),
        ),
      ]);
      const run = await mine();
      expect(run.status).toBe('succeeded');
      const found = await patterns('type=sequence&module=seq');
      const bySignature = Object.fromEntries(found.filter((p) => !p.items.gapped).map((p) => [p.signature, p]));
      expect(Object.keys(bySignature).sort()).toEqual(['edit>save', 'open>edit', 'open>edit>save']);
      // open>edit: 5 users; occurrences 4 + the heavy user's 20 capped at 10. Six users went on after open (e with
      // save): its confidence 5/6 would show that one user did something else, a small cell, so the publication
      // gate withholds it with the count it rests on; prediction skips it.
      expect(bySignature['open>edit']).toMatchObject({
        support: 5,
        occurrences: 14,
        items: { actions: ['open', 'edit'] },
        confidence: null,
        stats: null,
      });
      // Every user who went on after edit (or open>edit) went on with save.
      expect(bySignature['edit>save']).toMatchObject({
        support: 3,
        occurrences: 3,
        confidence: 1,
        stats: { length: 2, contextUsers: 3 },
      });
      expect(bySignature['open>edit>save']).toMatchObject({
        support: 3,
        occurrences: 3,
        confidence: 1,
        stats: { length: 3, contextUsers: 3 },
      });
    });

    it('finds gapped sequences (PrefixSpan): actions in between allowed up to the gap, k users, heavy users capped', async () => {
      const [a, b, c, heavy, far, f, g, x1, x2, x3] = await consentingUsers(t, 10);
      await ingest([
        ...session(a, 'gap', 's', ['start', 'noise-a', 'finish']),
        ...session(b, 'gap', 's', ['start', 'noise-b', 'noise-bb', 'finish']),
        ...session(c, 'gap', 's', ['start', 'finish']),
        ...Array.from({ length: 20 }, (_, i) => session(heavy, 'gap', `h${i}`, ['start', 'z', 'finish'])).flat(),
        // Three actions in between: past MAX_SEQUENCE_GAP (2), so this start is not followed by finish.
        ...session(far, 'gap', 's', ['start', 'w1', 'w2', 'w3', 'finish']),
        // Three more users went on after start, each with something of their own.
        ...session(x1, 'gap', 's', ['start', 'x1']),
        ...session(x2, 'gap', 's', ['start', 'x2']),
        ...session(x3, 'gap', 's', ['start', 'x3']),
        // k-1 users: withheld.
        ...session(f, 'gap', 's', ['begin', 'q', 'end']),
        ...session(g, 'gap', 's', ['begin', 'end']),
      ]);
      const run = await mine();
      expect(run.status).toBe('succeeded');
      const found = await patterns('type=sequence&module=gap');
      expect(found.map((p) => p.signature)).toEqual(['gapped:start>finish']);
      // 4 users; occurrences: a, b, c and 10 of the heavy user's 20. Eight users went on after start within the
      // gap (a, b, c, heavy, far and the three others): 4 of them with finish.
      expect(found[0]).toMatchObject({
        support: 4,
        occurrences: 13,
        items: { actions: ['start', 'finish'], gapped: true, maxGap: 2 },
        confidence: 0.5,
        stats: { contextUsers: 8 },
      });
      // Prediction reads only contiguous sequences: nothing is known to come right after start.
      const predicted = await t.http
        .post('/api/v1/patterns/predict')
        .set('authorization', service())
        .send({ module: 'gap', recentActions: ['start'] });
      expect(predicted.body).toEqual({ predictions: [] });
    });

    it('predicts the next action from the longest known context, backing off to shorter ones', async () => {
      const [a, b, c] = await consentingUsers(t, 3);
      await ingest([
        ...session(a, 'pred', 's', ['start', 'type', 'send']),
        ...session(b, 'pred', 's', ['start', 'type', 'send']),
        ...session(c, 'pred', 's', ['start', 'type', 'send']),
        ...session(a, 'pred', 't', ['browse', 'type', 'discard']),
        ...session(b, 'pred', 't', ['browse', 'type', 'discard']),
        ...session(c, 'pred', 't', ['browse', 'type', 'discard']),
      ]);
      await mine();
      const predict = (body: unknown) =>
        t.http
          .post('/api/v1/patterns/predict')
          .set('authorization', service())
          .send(body as object);
      // After start>type users sent; after browse>type they discarded; after type alone, either (back-off).
      const afterStart = await predict({ module: 'pred', recentActions: ['start', 'type'] });
      expect(afterStart.status).toBe(200);
      expect(afterStart.body.predictions[0]).toEqual({
        action: 'send',
        confidence: 1,
        support: 3,
        context: ['start', 'type'],
      });
      // Each of the three users who went on after type did both send and discard: P(discard | type) per user is 1.
      expect(afterStart.body.predictions[1]).toMatchObject({ action: 'discard', context: ['type'], confidence: 1 });
      const unknownStart = await predict({ module: 'pred', recentActions: ['zzz', 'type'], limit: 1 });
      expect(unknownStart.body.predictions).toHaveLength(1);
      expect(unknownStart.body.predictions[0]).toMatchObject({ context: ['type'], confidence: 1 });
      expect((await predict({ module: 'pred', recentActions: ['nothing-known'] })).body).toEqual({ predictions: [] });
      const bad = await predict({ module: 'Bad Module', recentActions: [] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['module', 'recentActions']);
      // At most 20 recent actions and 20 predictions.
      const sized = (n: number) =>
        predict({ module: 'pred', recentActions: Array.from({ length: n }, () => 'type'), limit: n });
      const tooMuch = await sized(21);
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'recentActions']);
      expect((await sized(20)).status).toBe(200);
    });
  });

  describe('correction, feedback, co-occurrence and reported miners', () => {
    it('publishes a correction at k users with its normalized text, and not at k-1', async () => {
      const users = await consentingUsers(t, K + K - 1);
      const events = [
        ...users.slice(0, K).map((u, i) => ({
          userId: u,
          eventType: 'correction',
          context: { module: 'corr', action: 'fix' },
          data: { original: i ? 'Teh  Cat' : 'teh cat', corrected: 'The Cat' },
          timestamp: at(),
        })),
        ...users.slice(K).map((u) => ({
          userId: u,
          eventType: 'correction',
          context: { module: 'corr', action: 'fix' },
          data: { original: 'recieve', corrected: 'receive' },
          timestamp: at(),
        })),
      ];
      await ingest(events);
      await mine();
      const found = await patterns('type=correction&module=corr');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        support: K,
        occurrences: K,
        items: { original: 'teh cat', corrected: 'the cat' },
      });
      expect(found[0].signature).toMatch(/^[0-9a-f]{64}$/);
    });

    it('scores feedback per action by its users, each counted once however much feedback they give', async () => {
      const [a, b, c, d, e, heavy] = await consentingUsers(t, 6);
      const rate = (userId: string, rating: number) =>
        learningEvent(userId, 'feedback', { module: 'fb', action: 'suggest' }, { rating }, at());
      await ingest([
        rate(a, 5),
        rate(b, 4),
        rate(c, 5),
        rate(d, 2),
        rate(e, 1),
        rate(heavy, 2),
        ...Array.from({ length: 30 }, () => rate(heavy, 1)),
      ]);
      await mine();
      const [p] = await patterns('type=feedback&module=fb');
      // Three positive and three negative users: the heavy user's 31 ratings make one negative user (and count 10
      // times, the cap, among the occurrences).
      expect(p).toMatchObject({ signature: 'suggest', support: 6, occurrences: 15 });
      expect(p.stats).toMatchObject({ positive: 3, negative: 3, raters: 6, positiveShare: 0.5 });
      expect(p.stats.meanRating).toBeCloseTo((5 + 4 + 5 + 2 + 1 + 32 / 31) / 6, 3);
      const n = 6;
      const phat = 3 / n;
      const z = 1.959963984540054;
      const wilson =
        (phat + (z * z) / (2 * n) - z * Math.sqrt((phat * (1 - phat)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
      expect(p.confidence).toBeCloseTo(wilson, 10);
    });

    it('publishes the raters and their mean rating only when their count shows no small cell', async () => {
      const users = await consentingUsers(t, 9);
      const say = (userId: string, data: Record<string, unknown>) => ({
        userId,
        eventType: 'feedback',
        context: { module: 'fb-mixed', action: 'answer' },
        data,
        timestamp: at(),
      });
      await ingest([
        ...users.slice(0, 5).map((u) => say(u, { sentiment: 'positive' })),
        say(users[5], { rating: 5 }),
        ...users.slice(6).map((u) => say(u, { sentiment: 'negative' })),
      ]);
      await mine();
      const [p] = await patterns('type=feedback&module=fb-mixed');
      expect(p).toMatchObject({ support: 9, stats: { positive: 6, negative: 3 } });
      // One user gave a numeric rating: neither that count nor its mean is published.
      expect(p.stats).not.toHaveProperty('raters');
      expect(p.stats).not.toHaveProperty('meanRating');
    });

    it('withholds every figure that would show fewer than k users, and publishes the support alone', async () => {
      const [a, b, c, d] = await consentingUsers(t, 4);
      const say = (userId: string, sentiment: string) =>
        learningEvent(userId, 'feedback', { module: 'fb-small', action: 'answer' }, { sentiment }, at());
      await ingest([say(a, 'positive'), say(b, 'positive'), say(c, 'positive'), say(d, 'negative')]);
      await mine();
      const [p] = await patterns('type=feedback&module=fb-small');
      // One negative user (and 4 − 3 = 1 user not positive) would be a small cell: no share, no counts.
      expect(p).toMatchObject({ support: 4, occurrences: 4, confidence: null, stats: null });
      const run = (await t.http.get('/api/v1/patterns/runs?limit=1').set('authorization', admin())).body.items[0];
      expect(run.miners.find((m: { miner: string }) => m.miner === 'feedback').withheld).toBeGreaterThanOrEqual(1);
    });

    it('relates actions used by the same users with support, confidence and lift', async () => {
      const users = await consentingUsers(t, 19);
      const use = (userId: string, module: string, actions: string[]) =>
        actions.map((action) => ({
          userId,
          eventType: 'interaction',
          context: { module, action },
          data: {},
          timestamp: at(),
        }));
      await ingest([
        ...users.slice(0, 3).flatMap((u) => use(u, 'co', ['x', 'y'])),
        ...users.slice(3, 6).flatMap((u) => use(u, 'co', ['x'])),
        ...users.slice(6, 12).flatMap((u) => use(u, 'co', ['y'])),
        ...users.slice(12, 15).flatMap((u) => use(u, 'co', ['z'])),
        // Here one user used x without y: every figure beside the support would show it.
        ...users.slice(15, 18).flatMap((u) => use(u, 'co-small', ['x', 'y'])),
        ...use(users[18], 'co-small', ['x']),
      ]);
      await mine();
      const found = await patterns('type=co_occurrence&module=co');
      expect(found).toHaveLength(1);
      // 15 users; x by 6, y by 9, both by 3, neither 3: confidence P(y|x) = 3/6, lift = (3/15) / ((6/15)(9/15)).
      expect(found[0]).toMatchObject({
        signature: 'x+y',
        support: 3,
        items: { actions: ['x', 'y'] },
        confidence: 0.5,
      });
      expect(found[0].lift).toBeCloseTo(0.2 / 0.24, 10);
      expect(found[0].stats).toMatchObject({ usersX: 6, usersY: 9, moduleUsers: 15 });
      expect(found[0].stats.confidenceXGivenY).toBeCloseTo(1 / 3, 10);
      const small = await patterns('type=co_occurrence&module=co-small');
      expect(small).toMatchObject([{ signature: 'x+y', support: 3, confidence: null, lift: null, stats: null }]);
    });

    it('confirms a reported pattern at k reporters and publishes only the items k of them listed', async () => {
      const users = await consentingUsers(t, 3);
      const items = [
        ['Alpha', 'beta'],
        ['alpha', 'beta', 'gamma'],
        ['ALPHA', 'delta'],
      ];
      await ingest(
        users.map((u, i) => ({
          userId: u,
          eventType: 'pattern_discovery',
          context: { module: 'rep', action: 'report' },
          data: { patternType: 'workflow', signature: i ? 'Open-Edit' : 'open-edit', items: items[i] },
          timestamp: at(),
        })),
      );
      await mine();
      const found = await patterns('type=reported&module=rep');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        support: 3,
        items: { patternType: 'workflow', signature: 'open-edit', items: ['alpha'] },
      });
    });
  });

  describe('runs', () => {
    it('runs a miner contributed by another module, with no edit to the patterns module', async () => {
      const users = await consentingUsers(t, K);
      await ingest(visits(users, 'ext', 'mobile'));
      const run = await mine();
      expect(run.miners.map((m: { miner: string }) => m.miner).sort()).toEqual([
        'channel',
        'co_occurrence',
        'correction',
        'feedback',
        'reported',
        'sequence',
      ]);
      const [p] = await patterns('type=extra&module=ext');
      expect(p).toMatchObject({ signature: 'mobile', support: K, items: { channel: 'mobile' } });
    });

    it('writes more patterns than one statement takes, all in one transaction', async () => {
      const repository = t.app.get(PatternsRepository);
      const sql = t.app.get(SqlPool);
      const runId = uuidv7();
      const many = Array.from({ length: 12_001 }, (_, i) => ({
        module: 'bulk',
        signature: `s${i}`,
        items: { i },
        support: K,
        occurrences: K,
        confidence: null,
        lift: null,
        stats: null,
      }));
      try {
        const written = await sql.withClient((client) =>
          inTransaction(client, (tx) => repository.upsert(tx, runId, 'bulk', many, new Date())),
        );
        expect(written).toBe(12_001);
        const [row] = await sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM global_patterns WHERE pattern_type = 'bulk' AND run_id = $1`,
          [runId],
        );
        expect(row.n).toBe(12_001);
        // A failing last statement takes the earlier ones with it.
        const broken = [
          ...many.map((p) => ({ ...p, support: K + 1 })),
          {
            module: 'bulk',
            signature: 'bad',
            items: {},
            support: -1,
            occurrences: 0,
            confidence: null,
            lift: null,
            stats: null,
          },
        ];
        await expect(
          sql.withClient((client) =>
            inTransaction(client, (tx) => repository.upsert(tx, uuidv7(), 'bulk', broken, new Date())),
          ),
        ).rejects.toThrow();
        const [after] = await sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM global_patterns WHERE pattern_type = 'bulk' AND support = $1`,
          [K],
        );
        expect(after.n).toBe(12_001);
      } finally {
        await sql.query(`DELETE FROM global_patterns WHERE pattern_type = 'bulk'`);
      }
    });

    it('runs one at a time: a second start answers 409 with the running run’s id', async () => {
      const runId = await expectSecondStartRefused(
        t,
        '/api/v1/patterns/mine',
        ChannelMiner.control.gate,
        'PATTERNS.RUN_IN_PROGRESS',
      );
      const finished = await waitFor(
        () => runById(runId),
        (r) => r?.status !== 'running',
        20_000,
      );
      expect(finished?.status).toBe('succeeded');
    });

    it('keeps the patterns of a failing miner and reports the run as partial', async () => {
      const users = await consentingUsers(t, K);
      await ingest(visits(users, 'ext-fail', 'tv'));
      await mine();
      expect(await patterns('type=extra&module=ext-fail')).toHaveLength(1);
      ChannelMiner.control.mode = 'fail';
      const run = await mine();
      expect(run.status).toBe('partial');
      expect(run.miners.find((m: { miner: string }) => m.miner === 'channel')).toMatchObject({
        published: 0,
        retired: 0,
        error: 'channel miner failed on purpose',
      });
      expect(await patterns('type=extra&module=ext-fail')).toHaveLength(1);
    });

    it('retires what a failing miner can no longer vouch for: its patterns counted before a withdrawal', async () => {
      const users = await consentingUsers(t, K);
      await ingest(visits(users, 'ext-unverified', 'radio'));
      await mine();
      expect(await patterns('type=extra&module=ext-unverified')).toHaveLength(1);
      await setConsent(t, users[0], false);
      ChannelMiner.control.mode = 'fail';
      const run = await mine();
      expect(run.status).toBe('partial');
      const report = run.miners.find((m: { miner: string }) => m.miner === 'channel');
      expect(report).toMatchObject({ published: 0, retiredUnverified: true, error: 'channel miner failed on purpose' });
      expect(report.retired).toBeGreaterThanOrEqual(1);
      expect(await patterns('type=extra&module=ext-unverified')).toHaveLength(0);
    });

    it('refuses a pattern holding text jsonb cannot store, and publishes the rest: the run succeeds', async () => {
      const users = await consentingUsers(t, K);
      await ingest(visits(users, 'ext-poison', 'web'));
      ChannelMiner.control.mode = 'poison';
      const run = await mine();
      expect(run.status).toBe('succeeded');
      expect(run.miners.find((m: { miner: string }) => m.miner === 'channel')).toMatchObject({ refused: 1 });
      expect((await patterns('type=extra&module=ext-poison')).map((p) => p.signature)).toEqual(['web']);
    });

    it('retires a pattern at the next run once a withdrawal or an erasure takes its support below k', async () => {
      const users = await consentingUsers(t, K);
      await ingest([...visits(users, 'ret-w', 'kiosk'), ...visits(users, 'ret-e', 'kiosk')]);
      await mine();
      expect(await patterns('type=extra&module=ret-w')).toHaveLength(1);
      expect(await patterns('type=extra&module=ret-e')).toHaveLength(1);

      await setConsent(t, users[0], false); // withdrawal: the user's events go (CONSENT_WITHDRAWAL_ACTION=delete)
      const run = await mine();
      expect(run.miners.find((m: { miner: string }) => m.miner === 'channel').retired).toBe(2);
      expect(await patterns('type=extra&module=ret-w')).toHaveLength(0);
      const retired = await patterns('type=extra&module=ret-w&status=retired');
      expect(retired).toHaveLength(1);
      expect(retired[0].status).toBe('retired');
      // Retired patterns are history for operators: users and services neither list nor read them.
      const user = `Bearer ${t.token(newUserId(), ['user'])}`;
      for (const auth of [service(), user]) {
        const listed = await t.http.get('/api/v1/patterns?status=retired').set('authorization', auth);
        expect(listed.status).toBe(403);
        expect(listed.body.code).toBe('AUTH.FORBIDDEN');
        expect((await t.http.get(`/api/v1/patterns/${retired[0].id}`).set('authorization', auth)).status).toBe(404);
      }
      expect((await t.http.get(`/api/v1/patterns/${retired[0].id}`).set('authorization', admin())).status).toBe(200);

      // Back to k users, then an erasure.
      const [extra] = await consentingUsers(t, 1);
      await ingest(visits([extra], 'ret-e', 'kiosk'));
      await mine();
      expect(await patterns('type=extra&module=ret-e')).toMatchObject([{ support: K }]);
      const erased = await t.http.delete(`/api/v1/privacy/users/${users[1]}`).set('authorization', admin());
      expect(erased.status).toBe(200);
      await mine();
      expect(await patterns('type=extra&module=ret-e')).toHaveLength(0);
    });
  });

  it('never mines again what a withdrawal with exclude kept, even after a new grant', async () => {
    await withTestApps(
      [
        {
          databaseUrl: suite.db.url,
          env: {
            MIN_USER_SUPPORT: String(K),
            CONSENT_WITHDRAWAL_ACTION: 'exclude',
          },
          imports: [ExtraMinerModule],
        },
      ],
      async ([ex]) => {
        const users = await consentingUsers(ex, K);
        await ingestAll(ex, visits(users, 'excl', 'radio'));
        await mine();
        expect(await patterns('type=extra&module=excl')).toMatchObject([{ support: K }]);
        await setConsent(ex, users[0], false); // kept, excluded
        expect(
          Number(
            (await suite.pg.query('SELECT count(*) FROM global_learning_events WHERE user_id = $1', [users[0]])).rows[0]
              .count,
          ),
        ).toBe(1);
        await mine();
        expect(await patterns('type=extra&module=excl')).toHaveLength(0);
        await setConsent(ex, users[0], true); // a new grant does not bring the kept event back
        await mine();
        expect(await patterns('type=extra&module=excl')).toHaveLength(0);
        await ingestAll(ex, visits([users[0]], 'excl', 'radio')); // but what is sent under the new grant counts
        await mine();
        expect(await patterns('type=extra&module=excl')).toMatchObject([{ support: K }]);
      },
    );
  });

  it('retires the patterns of a type no registered miner publishes any more', async () => {
    const run = await mine();
    await suite.pg.query(
      `INSERT INTO global_patterns (id, pattern_type, module, signature, items, support, occurrences, first_seen, last_seen, run_id, status) VALUES ($1, 'ghost', 'old', 'x', '{}', 9, 9, now(), now(), $2, 'active')`,
      [newUserId(), run.id],
    );
    await mine();
    expect(await patterns('type=ghost')).toHaveLength(0);
    expect(await patterns('type=ghost&status=retired')).toHaveLength(1);
  });

  describe('reads', () => {
    it('filters, sorts and pages patterns without gaps or repeats', async () => {
      const users = await consentingUsers(t, K + 2);
      const events = ['a', 'b', 'c', 'd', 'e'].flatMap((channel, i) =>
        visits(users.slice(0, K + (i % 3)), 'page', channel),
      );
      await ingest(events);
      await mine();
      const all = await patterns('type=extra&module=page');
      expect(all.map((p) => p.support)).toEqual([...all.map((p) => p.support)].sort((x, y) => y - x));
      expect(all).toHaveLength(5);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t.http
          .get(`/api/v1/patterns?type=extra&module=page&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set('authorization', service());
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((p) => p.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.map((p) => p.id));
      expect((await patterns('type=extra&module=page&minSupport=5')).map((p) => p.support)).toEqual([5]);
      expect(
        await patterns(`type=extra&module=page&since=${new Date(Date.now() + 60_000).toISOString()}`),
      ).toHaveLength(0);
      const recent = await patterns('type=extra&module=page&sort=recent');
      expect(recent).toHaveLength(5);

      const one = await t.http
        .get(`/api/v1/patterns/${all[0].id}`)
        .set('authorization', `Bearer ${t.token(newUserId(), ['user'])}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(all[0]);
    });

    it('answers bad input with 400 naming the field, unknown ids with 404, and enforces roles', async () => {
      const bad = await t.http
        .get('/api/v1/patterns?minSupport=abc&sort=random&limit=101')
        .set('authorization', service());
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'minSupport', 'sort']);
      expect((await t.http.get('/api/v1/patterns?cursor=garbage').set('authorization', service())).status).toBe(400);
      // A crafted cursor with a position the column cannot hold, and a date PostgreSQL cannot store: 400, not 500.
      const crafted = encodeCursor([1e11, newUserId()], {
        type: undefined,
        module: undefined,
        minSupport: undefined,
        since: undefined,
        status: 'active',
        sort: 'support',
      });
      expect((await t.http.get(`/api/v1/patterns?cursor=${crafted}`).set('authorization', service())).status).toBe(400);
      const ancient = await t.http
        .get('/api/v1/patterns?since=-100000-01-01T00:00:00Z')
        .set('authorization', service());
      expect(ancient.status).toBe(400);
      expect(ancient.body.errors[0].field).toBe('since');
      // A long admin subject is kept, shortened, in the run history.
      const longAdmin = `Bearer ${t.token('a'.repeat(150), ['admin'])}`;
      const started = await t.http.post('/api/v1/patterns/mine').set('authorization', longAdmin);
      expect(started.status).toBe(202);
      await waitFor(
        () => runById(started.body.runId),
        (r) => r?.status !== undefined && r.status !== 'running',
        20_000,
      );
      expect((await runById(started.body.runId))?.requestedBy).toBe('a'.repeat(128));
      expect((await t.http.get('/api/v1/patterns/not-a-uuid').set('authorization', service())).status).toBe(400);
      const missing = await t.http.get(`/api/v1/patterns/${newUserId()}`).set('authorization', service());
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('PATTERNS.NOT_FOUND');
      const user = `Bearer ${t.token(newUserId(), ['user'])}`;
      expect((await t.http.post('/api/v1/patterns/mine').set('authorization', user)).status).toBe(403);
      expect((await t.http.post('/api/v1/patterns/mine').set('authorization', service())).status).toBe(403);
      expect((await t.http.get('/api/v1/patterns/runs').set('authorization', service())).status).toBe(403);
      expect((await t.http.get('/api/v1/patterns')).status).toBe(401);
    });

    it('reports runs and active patterns in /metrics', async () => {
      await mine();
      const metrics = await t.http.get('/metrics');
      expect(metrics.text).toMatch(/mining_runs_total\{trigger="manual",status="succeeded"\} \d+/);
      expect(metrics.text).toMatch(/mining_run_duration_seconds_count\{status="succeeded"\} \d+/);
      expect(metrics.text).toMatch(/patterns_active\{pattern_type="[a-z_]+"\} \d+/);
    });
  });
});
