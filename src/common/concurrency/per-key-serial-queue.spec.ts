import { PerKeySerialQueue } from './per-key-serial-queue';

describe(PerKeySerialQueue.name, () => {
  it('runs one key’s calls one at a time in order, other keys alongside, and refuses beyond the bound', async () => {
    const sut = new PerKeySerialQueue(3, () => new Error('busy'));
    const log: string[] = [];
    const gates: (() => void)[] = [];
    const step = (name: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        gates.push(() => {
          log.push(`end ${name}`);
          resolve(name);
        });
      });
    const a1 = sut.run('a', step('a1'));
    const a2 = sut.run('a', step('a2'));
    const a3 = sut.run('a', step('a3'));
    await expect(sut.run('a', step('a4'))).rejects.toThrow('busy');
    const b1 = sut.run('b', step('b1'));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start a1', 'start b1']);
    gates.shift()!();
    await a1;
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    while (gates.length) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await expect(Promise.all([a2, a3, b1])).resolves.toEqual(['a2', 'a3', 'b1']);
    expect(sut.pending('a')).toBe(0);
  });

  it('goes on after a call fails', async () => {
    const sut = new PerKeySerialQueue(2, () => new Error('busy'));
    const failed = sut.run('a', () => Promise.reject(new Error('db down')));
    const next = sut.run('a', async () => 'ok');
    await expect(failed).rejects.toThrow('db down');
    await expect(next).resolves.toBe('ok');
  });
});
