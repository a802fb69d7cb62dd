import { createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { interaction, setConsent } from '../support/learning';
import { useSuite } from '../support/suite';
import { TEST_JWT_SECRET, type TestApp } from '../support/test-app';
import { describeRequest, FuzzClient, NoAnswerError, type FuzzResponse } from './fuzz-client';
import { FuzzReport, formatFinding } from './fuzz-report';
import { listOperations, type OpenApiDocument, type Operation } from './openapi-model';
import { oddText } from './odd-values';
import {
  requestArbitrary,
  type Dictionary,
  type FuzzRequest,
  type GeneratorContext,
  type TokenTable,
} from './request-arbitrary';
import { violationsOf } from './response-properties';

/**
 * Property-based requests for every operation of the served OpenAPI document (plus the undocumented /metrics and
 * unrouted paths): none may be answered 500, every error is problem+json, no body leaks internals, and the
 * process stays up. `npm test` runs a short fixed-seed pass; `npm run fuzz` a long one that prints what it tried.
 * FUZZ_RUNS (requests per operation) and FUZZ_SEED override; setting FUZZ_RUNS also prints the summary.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const PRINT_SUMMARY = process.env.FUZZ_RUNS !== undefined;
/** Requests fast-check may spend shrinking one operation's failure before the smallest one so far is reported. */
const SHRINK_BUDGET = 150;

// Fixed subjects, so a finding's token can be minted again: three users with consent, one without.
const USERS = [
  '0193a0f0-0000-7000-8000-000000000001',
  '0193a0f0-0000-7000-8000-000000000002',
  '0193a0f0-0000-7000-8000-000000000003',
  '0193a0f0-0000-7000-8000-000000000004',
];
const CONSENTING = USERS.slice(0, 3);
const ADMIN = '0193a0f0-0000-7000-8000-0000000000ad';
const SERVICE = 'fuzz-service-client';

const UNDOCUMENTED: Operation[] = [
  { id: 'GET /metrics', method: 'GET', path: '/metrics', pathParams: [], queryParams: [] },
  {
    id: 'GET /api/v1/{unrouted}',
    method: 'GET',
    path: '/api/v1/{unrouted}',
    pathParams: [{ name: 'unrouted', in: 'path', required: true }],
    queryParams: [],
  },
];

function handMadeToken(header: object, claims: object, secret = TEST_JWT_SECRET): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part(header)}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function tokenTable(t: TestApp): TokenTable {
  const ttl = 6 * 3600;
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  const now = Math.floor(Date.now() / 1000);
  const user = { sub: USERS[0], roles: ['user'] };
  return {
    valid: {
      user: USERS.map((id) => t.token(id, ['user'], ttl)),
      service: [t.token(SERVICE, ['service'], ttl)],
      admin: [t.token(ADMIN, ['admin'], ttl), t.token(USERS[1], ['user', 'admin'], ttl)],
    },
    refused: {
      expired: handMadeToken(hs256, { ...user, exp: now - 3600, iat: now - 7200 }),
      'wrong-secret': handMadeToken(hs256, { ...user, exp: now + ttl }, 'another-secret-that-is-at-least-32-bytes'),
      'alg-none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...user, exp: now + ttl })).toString('base64url')}.`,
      'no-exp': handMadeToken(hs256, user),
      'unknown-role': handMadeToken(hs256, { sub: ADMIN, roles: ['root'], exp: now + ttl }),
      'roles-not-array': handMadeToken(hs256, { sub: ADMIN, roles: 'admin', exp: now + ttl }),
      'user-sub-not-uuid': handMadeToken(hs256, { sub: 'alice', roles: ['user'], exp: now + ttl }),
      'huge-sub': handMadeToken(hs256, { sub: 'x'.repeat(300), roles: ['service'], exp: now + ttl }),
      'not-before': handMadeToken(hs256, { ...user, exp: now + ttl, nbf: now + 3600 }),
      'exp-string': handMadeToken(hs256, { ...user, exp: String(now + ttl) }),
    },
  };
}

/** Cursors with a real list's fingerprint but a position of the wrong type or value: the parser's hardest inputs. */
function forgedCursors(real: string[]): string[] {
  const positions: unknown[] = [
    null,
    0,
    -1,
    1e308,
    '',
    'x',
    'not-a-uuid',
    randomUUID(),
    [],
    [1, 2],
    {},
    { id: 1 },
    '2026-13-45',
    '\u0000',
    '\ud800',
    'a'.repeat(300),
    true,
  ];
  return real.flatMap((cursor) => {
    const { f } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { f: string };
    return positions.map((p) => Buffer.from(JSON.stringify({ p, f })).toString('base64url'));
  });
}

/** Shapes the event schema only states in prose (data per event type), so valid events get past validation. */
function hints(): GeneratorContext['hints'] {
  const short = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
  // One object every event type accepts (data may hold more members than its type reads), then each type's own shape.
  const anyType = {
    outcome: 'success',
    rating: 4,
    original: 'teh',
    corrected: 'the',
    patternType: 'fuzz',
    signature: 'sig',
    items: ['a', 'b'],
  };
  return {
    data: fc.oneof(
      { arbitrary: fc.constant(anyType), weight: 5 },
      fc.record(
        {
          outcome: fc.constantFrom('success', 'failure', 'abandoned'),
          durationMs: fc.integer({ min: 0, max: 86_400_000 }),
        },
        { requiredKeys: [] },
      ),
      fc.record({ rating: fc.integer({ min: 1, max: 5 }), comment: short }, { requiredKeys: ['rating'] }),
      fc.record({ sentiment: fc.constantFrom('positive', 'negative') }),
      fc.tuple(short, short, oddText).map(([original, corrected, field]) => ({
        original,
        corrected: original === corrected ? `${corrected}!` : corrected,
        field,
      })),
      fc.record({
        patternType: fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,15}$/),
        signature: short,
        items: fc.array(short, { minLength: 1, maxLength: 5 }),
      }),
    ),
  };
}

describe('OpenAPI fuzzing (e2e)', () => {
  const suite = useSuite({
    env: {
      // Limits high enough that 429s do not mask the routes behind them.
      THROTTLE_LIMIT: '1000000',
      AUTH_MAX_FAILED_ATTEMPTS: '1000',
    },
  });
  let t: TestApp;
  let client: FuzzClient;
  let ctx: GeneratorContext;
  let operations: Operation[];
  const admin = () => `Bearer ${t.token(ADMIN, ['admin'])}`;

  async function seedConsent(): Promise<void> {
    for (const user of CONSENTING) await setConsent(t, user);
  }

  async function cursorOf(path: string, auth: string): Promise<string[]> {
    const res = await t.http.get(path).query({ limit: 1 }).set('authorization', auth);
    return typeof res.body?.nextCursor === 'string' ? [res.body.nextCursor as string] : [];
  }

  beforeAll(async () => {
    t = suite.t;
    await t.app.listen(0, '127.0.0.1');
    client = new FuzzClient(new URL(await t.app.getUrl()));
    operations = [...listOperations((await t.http.get('/docs-json')).body as OpenApiDocument), ...UNDOCUMENTED];

    // Enough state that valid requests reach the database and lists have second pages.
    const apiClient = await t.app.get(ApiClientsService).create('fuzz-client', ['service']);
    await seedConsent();
    const user = `Bearer ${t.token(USERS[0], ['user'])}`;
    await t.http
      .post('/api/v1/learning/events/batch')
      .set('authorization', user)
      .send({ events: [interaction(undefined), interaction(undefined), interaction(undefined)] });
    for (const id of [USERS[3], randomUUID()])
      await t.http.put(`/api/v1/retention/holds/${id}`).set('authorization', admin()).send({ reason: 'fuzz fixture' });
    const cursors = [
      ...(await cursorOf('/api/v1/learning/events', user)),
      ...(await cursorOf('/api/v1/audit', admin())),
      ...(await cursorOf('/api/v1/retention/holds', admin())),
    ];
    expect(cursors).toHaveLength(3);
    const dictionary: Dictionary = {
      userId: USERS,
      clientId: [apiClient.id],
      clientSecret: [apiClient.secret],
      targetKeyId: [t.config.crypto.currentKeyId],
      cursor: [...cursors, ...forgedCursors(cursors)],
      unrouted: ['no-such-thing', 'learning', 'consent/me/extra', 'health', '..%2f..%2fhealth%2flive'],
    };
    ctx = { tokens: tokenTable(t), dictionary, hints: hints() };
  });
  afterAll(() => client?.close());

  // What earlier runs found, kept as fixed cases: the short run in `npm test` need not stumble on them again.
  it.each([
    [
      'a DTO body nested 120 000 levels deep',
      400,
      {
        method: 'PUT',
        path: '/api/v1/consent/me',
        role: 'user',
        body: `${'{"a":'.repeat(120_000)}1${'}'.repeat(120_000)}`,
      },
    ],
    [
      'a null where a defaulted boolean is optional',
      400,
      { method: 'POST', path: '/api/v1/retention/run', role: 'admin', body: '{"dryRun":null}' },
    ],
    [
      'a null where a defaulted number is optional',
      400,
      {
        method: 'POST',
        path: '/api/v1/patterns/predict',
        role: 'user',
        body: '{"module":"editor","recentActions":["open"],"limit":null}',
      },
    ],
    [
      'malformed percent-encoding in the path',
      400,
      { method: 'GET', path: '/api/v1/consent/%ED%A0%80', role: 'service' },
    ],
    [
      'a path parameter over the router’s length limit',
      414,
      { method: 'GET', path: `/api/v1/patterns/${'a'.repeat(1_000)}`, role: 'user' },
    ],
    [
      'headers over the HTTP parser’s size limit',
      431,
      { method: 'GET', path: '/api/v1/consent/me', role: 'user', headers: { 'x-request-id': 'r'.repeat(20_000) } },
    ],
  ] as const)('answers %s with %d problem+json', async (_, status, c) => {
    const token =
      c.role === 'admin'
        ? t.token(ADMIN, ['admin'])
        : c.role === 'service'
          ? t.token(SERVICE, ['service'])
          : t.token(USERS[0], ['user']);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...('headers' in c ? c.headers : {}) };
    if ('body' in c) headers['content-type'] = 'application/json';
    const res = await client.send({
      method: c.method,
      path: c.path,
      headers,
      body: 'body' in c ? c.body : undefined,
      tags: [],
    });
    expect({ status: res.status, violations: violationsOf(res) }).toEqual({ status, violations: [] });
  });

  it(
    'answers every generated request without a 500, with problem+json errors, leaking nothing, and stays alive',
    async () => {
      const report = new FuzzReport();
      const exits: unknown[] = [];
      const exitSpy = jest
        .spyOn(process, 'exit')
        .mockImplementation(((code?: number) => void exits.push(code)) as typeof process.exit);
      const rejections: unknown[] = [];
      const onRejection = (reason: unknown) => rejections.push(reason);
      process.on('unhandledRejection', onRejection);
      const failures: string[] = [];
      const started = Date.now();
      try {
        for (const op of operations) {
          // Erasures of the fixture users must not leave the later operations without consenting users.
          await seedConsent();
          let failed = false;
          let budget = SHRINK_BUDGET;
          const property = fc.asyncProperty(requestArbitrary(op, ctx), async (req: FuzzRequest) => {
            if (failed && --budget < 0) return true;
            let res: FuzzResponse | undefined;
            let violations: string[];
            try {
              res = await client.send(req);
              violations = violationsOf(res);
            } catch (error) {
              if (!(error instanceof NoAnswerError)) throw error;
              violations = [error.message];
            }
            report.record(op.id, req, res, violations);
            if (violations.length === 0) return true;
            failed = true;
            throw new Error(violations.join('; '));
          });
          const details = await fc.check(property, { seed: SEED, numRuns: RUNS });
          report.ran(op.id, details.numRuns, details.numShrinks);
          if (details.failed && details.counterexample) {
            failures.push(
              `${op.id} (seed ${SEED}, path ${details.counterexamplePath}): ${(details.errorInstance as Error)?.message}\n${describeRequest(details.counterexample[0])}`,
            );
          }
        }
        const live = await client.send({ method: 'GET', path: '/health/live', headers: {}, tags: [] });
        expect(live.status).toBe(200);
      } finally {
        process.off('unhandledRejection', onRejection);
        exitSpy.mockRestore();
        if (PRINT_SUMMARY) process.stdout.write(report.summary(SEED, RUNS, Date.now() - started));
      }
      if (report.findings.length) {
        const file = join(tmpdir(), `openapi-fuzz-findings-${process.pid}.json`);
        writeFileSync(file, JSON.stringify(report.findings, null, 2));
        failures.push(`All findings, requests in full: ${file}\n\n${report.findings.map(formatFinding).join('\n\n')}`);
      }
      expect(failures).toEqual([]);
      expect(exits).toEqual([]);
      expect(rejections.map(String)).toEqual([]);
      // The generator must get past authentication and validation, not only bounce off them.
      const statuses = report.statusesSeen();
      expect(statuses).toEqual(expect.arrayContaining([200, 400, 401, 403, 404]));
      expect(statuses.some((s) => s === 201 || s === 202 || s === 204)).toBe(true);
    },
    120_000 + RUNS * 40 * 150,
  );
});
