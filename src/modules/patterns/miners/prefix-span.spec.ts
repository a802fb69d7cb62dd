import { mineGappedSequences, TooManySequencesError, type GappedMiningOptions } from './prefix-span';
import { SessionDatabaseBuilder } from './session-database';

type Sessions = [user: string, actions: string[]][];

const options = (overrides: Partial<GappedMiningOptions> = {}): GappedMiningOptions => ({
  minSupport: 2,
  maxGap: 1,
  minLength: 2,
  maxLength: 4,
  maxOccurrencesPerUser: 10,
  maxResults: 100_000,
  ...overrides,
});

const noPause = () => Promise.resolve();

async function mine(sessions: Sessions, opts: GappedMiningOptions) {
  const builder = new SessionDatabaseBuilder();
  for (const [user, actions] of sessions) builder.add(user, actions);
  const db = builder.build();
  const found = await mineGappedSequences(db, opts, noPause);
  return new Map(
    found.map((f) => [
      f.codes.map((c) => db.names[c]).join('>'),
      {
        support: f.support,
        occurrences: f.occurrences,
        continuations: f.continuations,
        continuationUsers: f.continuationUsers,
      },
    ]),
  );
}

/** Every gap-constrained subsequence of every session, counted the slow and obvious way. */
function bruteForce(sessions: Sessions, opts: GappedMiningOptions) {
  const perUser = new Map<string, Map<string, number>>();
  for (const [user, actions] of sessions) {
    // Each sequence with the positions where an occurrence of it ends.
    const inSession = new Set<string>();
    const walk = (seq: string[], last: number) => {
      if (seq.length > 0) inSession.add(`${seq.join('>')}@${last}`);
      if (seq.length === opts.maxLength) return;
      const from = seq.length === 0 ? 0 : last + 1;
      const to = seq.length === 0 ? actions.length : Math.min(actions.length, last + 2 + opts.maxGap);
      for (let q = from; q < to; q++) walk([...seq, actions[q]], q);
    };
    walk([], -1);
    const counts = perUser.get(user) ?? new Map<string, number>();
    for (const ending of inSession) {
      const key = ending.split('@')[0];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    perUser.set(user, counts);
  }
  const totals = new Map<string, { support: number; occurrences: number }>();
  for (const counts of perUser.values()) {
    for (const [key, n] of counts) {
      const t = totals.get(key) ?? { support: 0, occurrences: 0 };
      t.support++;
      t.occurrences += Math.min(n, opts.maxOccurrencesPerUser);
      totals.set(key, t);
    }
  }
  // A user continues a prefix when some sequence of theirs extends it by one action.
  const continuing = new Map<string, Set<string>>();
  for (const [user, counts] of perUser)
    for (const key of counts.keys()) {
      const prefix = key.split('>').slice(0, -1).join('>');
      continuing.set(prefix, (continuing.get(prefix) ?? new Set()).add(user));
    }
  const continuations = new Map<string, number>();
  for (const [key, t] of totals) {
    const prefix = key.split('>').slice(0, -1).join('>');
    continuations.set(prefix, (continuations.get(prefix) ?? 0) + t.occurrences);
  }
  const result = new Map<
    string,
    { support: number; occurrences: number; continuations: number; continuationUsers: number }
  >();
  for (const [key, t] of totals) {
    const parts = key.split('>');
    if (t.support < opts.minSupport || parts.length < opts.minLength) continue;
    const prefix = parts.slice(0, -1).join('>');
    result.set(key, {
      ...t,
      continuations: continuations.get(prefix)!,
      continuationUsers: continuing.get(prefix)!.size,
    });
  }
  return result;
}

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
}

describe('mineGappedSequences', () => {
  it('finds a sequence with actions in between, which contiguous n-grams miss', async () => {
    const sessions: Sessions = [
      ['u1', ['open', 'x', 'save']],
      ['u2', ['open', 'y', 'save']],
      ['u3', ['open', 'save']],
    ];
    const found = await mine(sessions, options({ minSupport: 3 }));
    // After open came x, y or save (within the gap): 5 continuations, 3 of them save.
    expect(found.get('open>save')).toEqual({ support: 3, occurrences: 3, continuations: 5, continuationUsers: 3 });
    expect(found.size).toBe(1);
  });

  it('respects the gap: one action more in between and the occurrence does not count', async () => {
    const sessions: Sessions = [
      ['u1', ['open', 'x', 'save']],
      ['u2', ['open', 'x', 'y', 'save']],
    ];
    expect((await mine(sessions, options({ minSupport: 1, maxGap: 1 }))).get('open>save')?.support).toBe(1);
    expect((await mine(sessions, options({ minSupport: 1, maxGap: 2 }))).get('open>save')?.support).toBe(2);
    expect((await mine(sessions, options({ minSupport: 1, maxGap: 0 }))).has('open>save')).toBe(false);
  });

  it('counts users, not sessions: k-1 users are not enough however often they repeat it', async () => {
    const heavy: Sessions = Array.from({ length: 50 }, () => ['heavy', ['a', 'b']] as [string, string[]]);
    const found = await mine([...heavy, ['u2', ['a', 'b']]], options({ minSupport: 3, maxOccurrencesPerUser: 5 }));
    expect(found.has('a>b')).toBe(false);
    const atK = await mine(
      [...heavy, ['u2', ['a', 'b']], ['u3', ['a', 'z', 'b']]],
      options({ minSupport: 3, maxOccurrencesPerUser: 5 }),
    );
    // 5 of the heavy user's 50 occurrences count, plus one each of the others; u3's a was also followed by z.
    expect(atK.get('a>b')).toEqual({ support: 3, occurrences: 7, continuations: 8, continuationUsers: 3 });
  });

  it('needs the order: b then a is not a then b', async () => {
    const found = await mine(
      [
        ['u1', ['b', 'a']],
        ['u2', ['b', 'a']],
      ],
      options(),
    );
    expect([...found.keys()]).toEqual(['b>a']);
  });

  it('gives the confidence of the last action after its prefix', async () => {
    const sessions: Sessions = [
      ['u1', ['a', 'b', 'c']],
      ['u2', ['a', 'b', 'd']],
      ['u3', ['a', 'b', 'c']],
      ['u4', ['a', 'b']],
    ];
    const found = await mine(sessions, options({ minSupport: 2 }));
    // a>b was followed by c twice and d once (u4's ended there): by three users, two of whom went on with c.
    expect(found.get('a>b>c')).toEqual({ support: 2, occurrences: 2, continuations: 3, continuationUsers: 3 });
  });

  it('agrees with brute force on random sessions', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const next = random(seed);
      const sessions: Sessions = [];
      for (let u = 0; u < 40; u++) {
        for (let s = 0, count = 1 + next(4); s < count; s++)
          sessions.push([`u${String(u).padStart(3, '0')}`, Array.from({ length: 1 + next(12) }, () => `a${next(6)}`)]);
      }
      const opts = options({
        minSupport: 2 + next(6),
        maxGap: next(3),
        maxLength: 2 + next(3),
        maxOccurrencesPerUser: 1 + next(3),
      });
      expect(await mine(sessions, opts)).toEqual(bruteForce(sessions, opts));
    }
  });

  it('stops with an error past maxResults instead of growing without bound', async () => {
    const sessions: Sessions = [
      ['u1', ['a', 'b', 'c', 'd']],
      ['u2', ['a', 'b', 'c', 'd']],
    ];
    await expect(mine(sessions, options({ maxResults: 3 }))).rejects.toBeInstanceOf(TooManySequencesError);
  });

  it('yields to the event loop while it works', async () => {
    const next = random(9);
    const builder = new SessionDatabaseBuilder();
    for (let u = 0; u < 2000; u++)
      builder.add(
        `u${String(u).padStart(5, '0')}`,
        Array.from({ length: 10 }, () => `a${next(10)}`),
      );
    let pauses = 0;
    const found = await mineGappedSequences(builder.build(), options({ minSupport: 5, maxGap: 2 }), async () => {
      pauses++;
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(found.length).toBeGreaterThan(0);
    expect(pauses).toBeGreaterThan(0);
  });
});
