import type { Client } from 'pg';
import { CopyThenQuery, parsePlainArray } from '../../src/database/copy-then-query';
import { useSuiteDatabase } from '../support/suite';

/** Text-format COPY data for (n int, label text) rows. */
const rows = (...values: [number, string][]) => Buffer.from(values.map(([n, label]) => `${n}\t${label}\n`).join(''));

describe(`${CopyThenQuery.name} (e2e)`, () => {
  const suite = useSuiteDatabase();
  let pg: Client;

  beforeAll(async () => {
    pg = suite.pg;
    await pg.query('CREATE TABLE copy_target (n int PRIMARY KEY, label text NOT NULL)');
    await pg.query('CREATE TEMP TABLE copy_stage (n int, label text) ON COMMIT DELETE ROWS');
  });
  beforeEach(() => pg.query('TRUNCATE copy_target'));

  const moveAndReport = `COPY copy_stage FROM STDIN;
    WITH moved AS (INSERT INTO copy_target SELECT * FROM copy_stage RETURNING n) SELECT array_agg(n ORDER BY n) AS moved, count(*) AS total FROM moved`;

  it('copies and runs the following statement in one round trip, answering its rows in text format', async () => {
    const result = await pg.query(new CopyThenQuery(moveAndReport, rows([1, 'a'], [2, 'b'], [3, 'tab\\there']))).result;
    expect(result).toEqual([['{1,2,3}', '3']]);
    expect(parsePlainArray(result[0][0])).toEqual(['1', '2', '3']);
    const stored = await pg.query('SELECT n, label FROM copy_target ORDER BY n');
    expect(stored.rows).toEqual([
      { n: 1, label: 'a' },
      { n: 2, label: 'b' },
      { n: 3, label: 'tab\there' },
    ]);
    // The staging rows went with the implicit transaction's commit.
    expect((await pg.query('SELECT count(*)::int AS c FROM copy_stage')).rows[0].c).toBe(0);
  });

  it('keeps nothing of the copy when the statement after it fails, and the connection stays usable', async () => {
    await pg.query("INSERT INTO copy_target VALUES (2, 'already')");
    await expect(pg.query(new CopyThenQuery(moveAndReport, rows([1, 'a'], [2, 'b']))).result).rejects.toMatchObject({
      code: '23505',
    });
    expect((await pg.query('SELECT n FROM copy_target ORDER BY n')).rows).toEqual([{ n: 2 }]);
    expect((await pg.query('SELECT count(*)::int AS c FROM copy_stage')).rows[0].c).toBe(0);
    expect((await pg.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('rejects bad copy data without storing any of it, and the connection stays usable', async () => {
    await expect(
      pg.query(new CopyThenQuery(moveAndReport, Buffer.from('1\ta\nnot-a-number\tb\n'))).result,
    ).rejects.toMatchObject({ code: '22P02' });
    expect((await pg.query('SELECT count(*)::int AS c FROM copy_target')).rows[0].c).toBe(0);
    expect((await pg.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('ignores the data it sent ahead when a statement before the COPY fails, and the connection stays usable', async () => {
    const text = `SELECT 1 / 0; ${moveAndReport}`;
    await expect(pg.query(new CopyThenQuery(text, rows([1, 'a']))).result).rejects.toMatchObject({ code: '22012' });
    expect((await pg.query('SELECT count(*)::int AS c FROM copy_target')).rows[0].c).toBe(0);
    expect((await pg.query('SELECT 2 AS ok')).rows).toEqual([{ ok: 2 }]);
    // And the next copy works normally.
    expect(await pg.query(new CopyThenQuery(moveAndReport, rows([5, 'e']))).result).toEqual([['{5}', '1']]);
  });

  it('parses empty and null arrays as no elements', () => {
    expect(parsePlainArray(null)).toEqual([]);
    expect(parsePlainArray('{}')).toEqual([]);
  });
});
