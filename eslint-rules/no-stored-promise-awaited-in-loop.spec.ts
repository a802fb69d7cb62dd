import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const FIXTURE = join(__dirname, 'fixtures', 'stored-promises.ts');
const RULE = 'local/no-stored-promise-awaited-in-loop';

describe(RULE, () => {
  it('reports exactly the lines of the fixture marked as flagged', async () => {
    const eslint = new ESLint({ cwd: join(__dirname, '..'), ignore: false });
    const [result] = await eslint.lintFiles([FIXTURE]);
    const reported = result.messages.filter((m) => m.ruleId === RULE).map((m) => m.line);
    const expected = readFileSync(FIXTURE, 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.endsWith('// flagged') ? [i + 1] : []));
    expect(expected.length).toBe(5);
    expect(reported).toEqual(expected);
  }, 60_000);
});
