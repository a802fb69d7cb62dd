import * as winston from 'winston';
import { createWinstonOptions } from './logger.factory';

describe(createWinstonOptions.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('writes errors to stderr and the rest to stdout, straight to the streams and never through console', async () => {
    const written = { stdout: [] as string[], stderr: [] as string[] };
    for (const name of ['stdout', 'stderr'] as const)
      jest.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
        written[name].push(chunk.toString());
        return true;
      });
    // Jest refuses console lines after a test file has ended, and fails the run: a late log must not reach it.
    const consoleCalls = (['log', 'info', 'warn', 'error'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(() => undefined),
    );
    const logger = winston.createLogger(createWinstonOptions({ log: { level: 'info', format: 'json' } }));
    logger.info('an info line', { context: 'Spec' });
    logger.warn('a warning', { context: 'Spec' });
    logger.error('an error line', { context: 'Spec' });
    await new Promise((resolve) => setImmediate(resolve));

    // The process writes to these streams too (Node's own warnings): only the JSON lines are the logger's.
    const parsed = (lines: string[]) =>
      lines.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { message: string }).message);
    expect(parsed(written.stdout)).toEqual(['an info line', 'a warning']);
    expect(parsed(written.stderr)).toEqual(['an error line']);
    for (const call of consoleCalls) expect(call).not.toHaveBeenCalled();
  });
});
