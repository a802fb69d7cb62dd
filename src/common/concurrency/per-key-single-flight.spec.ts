import { requestContext } from '../http/request-context';
import { PerKeySingleFlight } from './per-key-single-flight';

class Busy extends Error {
  constructor(readonly runningRequestId: string | undefined) {
    super('busy');
  }
}

describe(PerKeySingleFlight.name, () => {
  it('refuses a second run of a running key with the running request id, and lets other keys and later runs through', async () => {
    const sut = new PerKeySingleFlight((id) => new Busy(id));
    let release!: () => void;
    const first = requestContext.run({ requestId: 'req-1' }, () =>
      sut.run('u1', () => new Promise<string>((r) => (release = () => r('done')))),
    );
    await expect(sut.run('u1', async () => 'again')).rejects.toMatchObject({ runningRequestId: 'req-1' });
    await expect(sut.run('u2', async () => 'other')).resolves.toBe('other');
    release();
    await expect(first).resolves.toBe('done');
    await expect(sut.run('u1', async () => 'later')).resolves.toBe('later');
  });

  it('frees the key when the work fails', async () => {
    const sut = new PerKeySingleFlight((id) => new Busy(id));
    await expect(sut.run('u1', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(sut.isRunning('u1')).toBe(false);
  });

  it('holds the key for a stream until it is consumed or abandoned', async () => {
    const sut = new PerKeySingleFlight((id) => new Busy(id));
    async function* parts() {
      yield 'a';
      yield 'b';
    }
    const stream = sut.stream('u1', parts);
    expect(sut.isRunning('u1')).toBe(true);
    expect(() => sut.stream('u1', parts)).toThrow(Busy);
    expect((await stream.next()).value).toBe('a');
    await stream.return(undefined);
    expect(sut.isRunning('u1')).toBe(false);
    const whole = sut.stream('u1', parts);
    const seen: string[] = [];
    for await (const part of whole) seen.push(part);
    expect(seen).toEqual(['a', 'b']);
    expect(sut.isRunning('u1')).toBe(false);
  });
});
