import { InsertCoalescer } from './insert-coalescer';

/** A write that records each statement's rows and finishes when the test says so. */
function fakeWrites(fail?: (rows: string[]) => Error | undefined) {
  const statements: { rows: string[]; finish: () => void }[] = [];
  const write = (rows: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      statements.push({
        rows,
        finish: () => {
          const error = fail?.(rows);
          if (error) reject(error);
          else resolve(rows);
        },
      });
    });
  return { statements, write };
}

const serverError = (message: string) => Object.assign(new Error(message), { code: '23514' });
const tick = () => new Promise((r) => setImmediate(r));

async function finishAll(statements: { finish: () => void }[], done: () => boolean): Promise<void> {
  let finished = 0;
  while (!done()) {
    await tick();
    while (finished < statements.length) statements[finished++].finish();
  }
}

describe(InsertCoalescer.name, () => {
  it('runs a request at once while a slot is free', async () => {
    const { statements, write } = fakeWrites();
    const coalescer = new InsertCoalescer(write, { maxInFlight: 2, maxRows: 10 });
    const first = coalescer.submit(['a']);
    const second = coalescer.submit(['b']);
    expect(statements.map((s) => s.rows)).toEqual([['a'], ['b']]);
    statements.forEach((s) => s.finish());
    await expect(first).resolves.toEqual(['a']);
    await expect(second).resolves.toEqual(['b']);
  });

  it('puts requests that wait for a slot into one statement, up to the row limit, oldest first', async () => {
    const { statements, write } = fakeWrites();
    const coalescer = new InsertCoalescer(write, { maxInFlight: 1, maxRows: 3 });
    const results = [
      coalescer.submit(['a']),
      coalescer.submit(['b', 'c']),
      coalescer.submit(['d']),
      coalescer.submit(['e', 'f']),
      coalescer.submit(['g']),
    ];
    expect(statements.map((s) => s.rows)).toEqual([['a']]);
    let settled = 0;
    results.forEach((r) => void r.then(() => settled++));
    await finishAll(statements, () => settled === results.length);
    expect(statements.map((s) => s.rows)).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g']]);
    // Every request gets its statement's outcome.
    expect(await Promise.all(results)).toEqual([
      ['a'],
      ['b', 'c', 'd'],
      ['b', 'c', 'd'],
      ['e', 'f', 'g'],
      ['e', 'f', 'g'],
    ]);
  });

  it('runs a request larger than the row limit on its own', async () => {
    const { statements, write } = fakeWrites();
    const coalescer = new InsertCoalescer(write, { maxInFlight: 1, maxRows: 2 });
    const results = [coalescer.submit(['a']), coalescer.submit(['b', 'c', 'd']), coalescer.submit(['e'])];
    let settled = 0;
    results.forEach((r) => void r.then(() => settled++));
    await finishAll(statements, () => settled === results.length);
    expect(statements.map((s) => s.rows)).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('when the server rejects a shared statement, runs its requests again alone so only the failing one fails', async () => {
    const { statements, write } = fakeWrites((rows) =>
      rows.includes('bad') ? serverError('check violated') : undefined,
    );
    const coalescer = new InsertCoalescer(write, { maxInFlight: 1, maxRows: 10 });
    const results = [
      coalescer.submit(['first']),
      coalescer.submit(['ok']),
      coalescer.submit(['bad']),
      coalescer.submit(['fine']),
    ].map((p) =>
      p.then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      ),
    );
    let settled = 0;
    results.forEach((r) => void r.then(() => settled++));
    await finishAll(statements, () => settled === results.length);
    expect(await Promise.all(results)).toEqual([
      { value: ['first'] },
      { value: ['ok'] },
      { error: 'check violated' },
      { value: ['fine'] },
    ]);
    expect(statements.map((s) => s.rows)).toEqual([['first'], ['ok', 'bad', 'fine'], ['ok'], ['bad'], ['fine']]);
  });

  it('gives a failure that is not a server answer (outcome unknown) to every request of the group, without retrying', async () => {
    const { statements, write } = fakeWrites((rows) =>
      rows.length > 1 ? new Error('Connection terminated unexpectedly') : undefined,
    );
    const coalescer = new InsertCoalescer(write, { maxInFlight: 1, maxRows: 10 });
    const results = [coalescer.submit(['a']), coalescer.submit(['b']), coalescer.submit(['c'])].map((p) =>
      p.then(
        () => 'stored',
        (error: Error) => error.message,
      ),
    );
    let settled = 0;
    results.forEach((r) => void r.then(() => settled++));
    await finishAll(statements, () => settled === results.length);
    expect(await Promise.all(results)).toEqual([
      'stored',
      'Connection terminated unexpectedly',
      'Connection terminated unexpectedly',
    ]);
    expect(statements).toHaveLength(2);
  });
  it('runs a single request again through writeAlone, outside the slots, when retryAlone accepts its failure', async () => {
    const lockError = Object.assign(new Error('could not obtain lock on row'), { code: '55P03' });
    const { statements, write } = fakeWrites((rows) => (rows.includes('held') ? lockError : undefined));
    const alone: string[][] = [];
    let release: () => void = () => undefined;
    const writeAlone = (rows: string[]) => {
      alone.push(rows);
      return new Promise<string[]>((resolve) => (release = () => resolve(rows)));
    };
    const coalescer = new InsertCoalescer(
      write,
      { maxInFlight: 1, maxRows: 10, retryAlone: (error) => (error as { code?: string }).code === '55P03' },
      writeAlone,
    );
    const held = coalescer.submit(['held']);
    statements[0].finish();
    await tick();
    expect(alone).toEqual([['held']]);
    // The retry waits, and the slot is free meanwhile.
    const next = coalescer.submit(['next']);
    expect(statements.map((s) => s.rows)).toEqual([['held'], ['next']]);
    statements[1].finish();
    await expect(next).resolves.toEqual(['next']);
    release();
    await expect(held).resolves.toEqual(['held']);
  });

  it('gives a single request a failure that retryAlone does not accept, without retrying', async () => {
    const { statements, write } = fakeWrites(() => serverError('check violated'));
    const coalescer = new InsertCoalescer(write, {
      maxInFlight: 1,
      maxRows: 10,
      retryAlone: (error) => (error as { code?: string }).code === '55P03',
    });
    const result = coalescer.submit(['bad']);
    statements[0].finish();
    await expect(result).rejects.toThrow('check violated');
    expect(statements).toHaveLength(1);
  });

  it('frees the slot of a failed shared statement while its requests run again alone', async () => {
    const { statements, write } = fakeWrites((rows) => (rows.length > 1 ? serverError('lock') : undefined));
    const pendingAlone: (() => void)[] = [];
    const writeAlone = (rows: string[]) => new Promise<string[]>((resolve) => pendingAlone.push(() => resolve(rows)));
    const coalescer = new InsertCoalescer(write, { maxInFlight: 1, maxRows: 10 }, writeAlone);
    const first = coalescer.submit(['a']);
    const grouped = [coalescer.submit(['b']), coalescer.submit(['c'])];
    statements[0].finish();
    await first;
    await tick();
    statements[1].finish(); // ['b', 'c'] fails
    await tick();
    expect(pendingAlone).toHaveLength(2);
    const later = coalescer.submit(['d']);
    expect(statements.map((s) => s.rows)).toEqual([['a'], ['b', 'c'], ['d']]);
    statements[2].finish();
    await expect(later).resolves.toEqual(['d']);
    pendingAlone.forEach((resolve) => resolve());
    expect(await Promise.all(grouped)).toEqual([['b'], ['c']]);
  });
});
