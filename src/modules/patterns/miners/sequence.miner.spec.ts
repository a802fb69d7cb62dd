import type { AppConfig } from '../../../config/app-config';
import type { MiningWindow } from '../pattern-miner';
import { MAX_SEQUENCES_PER_MODULE, SequenceMiner } from './sequence.miner';

type Row = { module: string; user_id: string; actions: string[] };

const configWith = (patterns: Partial<AppConfig['patterns']>) =>
  ({
    patterns: {
      minUserSupport: 2,
      maxSequenceLength: 3,
      maxSequenceGap: 1,
      gappedMinShare: 0,
      maxOccurrencesPerUser: 10,
      ...patterns,
    },
  }) as unknown as AppConfig;

/** A window whose cursor returns the rows in pages of the miner's fetch size; records the statements. */
function windowOver(rows: Row[], minUserSupport = 2, settings = configWith({}).patterns) {
  const statements: string[] = [];
  let at = 0;
  const window: MiningWindow = {
    from: new Date(0),
    to: new Date(),
    minUserSupport,
    settings,
    dp: null,
    query: async <T>(sql: string) => {
      statements.push(sql.trim().split(/\s+/)[0]);
      if (!sql.startsWith('FETCH')) return [] as T[];
      const size = Number(/FETCH (\d+)/.exec(sql)![1]);
      const page = rows.slice(at, at + size);
      at += size;
      return page as T[];
    },
  };
  return { window, statements };
}

const session = (module: string, user: string, ...actions: string[]): Row => ({ module, user_id: user, actions });

describe('SequenceMiner', () => {
  const rows = [
    session('m1', 'u1', 'open', 'x', 'save'),
    session('m1', 'u2', 'open', 'y', 'save'),
    session('m1', 'u3', 'open', 'save'),
    session('m1', 'u4', 'open', 'save'),
    session('m2', 'u1', 'open', 'save'),
    session('m2', 'u2', 'open', 'save'),
  ];

  it('publishes contiguous and gapped sequences per module, and closes its cursor', async () => {
    const { window, statements } = windowOver(rows);
    const found = await new SequenceMiner().mine(window);
    const keys = found.map((p) => `${p.module}:${p.signature}:${p.support}`).sort();
    expect(keys).toEqual(['m1:gapped:open>save:4', 'm1:open>save:2', 'm2:gapped:open>save:2', 'm2:open>save:2']);
    expect(found.find((p) => p.signature === 'gapped:open>save' && p.module === 'm1')).toMatchObject({
      items: { actions: ['open', 'save'], gapped: true, maxGap: 1 },
      stats: { length: 2, minSupport: 2 },
    });
    expect(statements).toEqual(['DECLARE', 'FETCH', 'CLOSE']);
  });

  it('needs MINING_GAPPED_MIN_SHARE of the module’s users for a gapped sequence, but only k for a contiguous one', async () => {
    // m1 has 4 users: a share of 0.75 asks 3 of them; m2's 2 users: 2 (k).
    const found = await new SequenceMiner().mine(
      windowOver(rows, 2, configWith({ gappedMinShare: 0.75 }).patterns).window,
    );
    expect(found.map((p) => `${p.module}:${p.signature}`).sort()).toEqual([
      'm1:gapped:open>save',
      'm1:open>save',
      'm2:gapped:open>save',
      'm2:open>save',
    ]);
    const stricter = await new SequenceMiner().mine(
      windowOver(
        [...rows.slice(0, 4), session('m1', 'u5', 'idle'), ...rows.slice(4)],
        2,
        configWith({ gappedMinShare: 1 }).patterns,
      ).window,
    );
    expect(stricter.filter((p) => p.module === 'm1').map((p) => p.signature)).toEqual(['open>save']);
  });

  it('mines no gapped sequences with MAX_SEQUENCE_GAP 0', async () => {
    const found = await new SequenceMiner().mine(
      windowOver(rows, 2, configWith({ maxSequenceGap: 0 }).patterns).window,
    );
    expect(found.every((p) => !p.signature.startsWith('gapped:'))).toBe(true);
    expect(found).toHaveLength(2);
  });

  it('reads every page of the cursor, with a module spanning pages', async () => {
    const many = Array.from({ length: 4500 }, (_, i) => session('big', `u${String(i).padStart(5, '0')}`, 'a', 'b'));
    const found = await new SequenceMiner().mine(
      windowOver(many, 2, configWith({ maxSequenceGap: 0 }).patterns).window,
    );
    expect(found).toEqual([
      expect.objectContaining({ module: 'big', signature: 'a>b', support: 4500, occurrences: 4500, confidence: 1 }),
    ]);
  });

  it('fails with the setting to change when a module has too many frequent sequences', async () => {
    // 300 distinct actions that every user does in order: about 300 × 6³ gapped sequences of length 4 alone.
    const actions = Array.from({ length: 300 }, (_, i) => `a${i}`);
    const crowd = Array.from({ length: 3 }, (_, i) => session('m', `u${i}`, ...actions));
    const miner = new SequenceMiner();
    const settings = configWith({ maxSequenceLength: 4, maxSequenceGap: 5 }).patterns;
    await expect(miner.mine(windowOver(crowd, 2, settings).window)).rejects.toThrow(
      `module m: more than ${MAX_SEQUENCES_PER_MODULE} gapped sequences reach 2 of 3 users; raise MINING_GAPPED_MIN_SHARE or lower MAX_SEQUENCE_GAP`,
    );
  });
});
