import type { AppConfig } from '../../config/app-config';
import { strictFake } from '../../../test/support/strict-fake';
import type { SecretHasher } from '../crypto/secret-hasher';
import { MetricsService } from '../../observability/metrics.service';
import { VerificationBusyError } from './auth.errors';
import { SecretVerificationGate } from './secret-verification.gate';

describe(SecretVerificationGate.name, () => {
  const config = { auth: { verifyConcurrency: 1, verifyQueue: 1 } } as AppConfig;

  function setup() {
    const pending: Array<(valid: boolean) => void> = [];
    const hasher = strictFake<SecretHasher>(
      { verify: () => new Promise<boolean>((resolve) => pending.push(resolve)) },
      'hasher',
    );
    const metrics = new MetricsService();
    const sut = new SecretVerificationGate(hasher, metrics, config);
    const count = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
    return { sut, pending, count };
  }

  it('runs as many verifications as allowed, queues as many as allowed, and refuses the rest at once', async () => {
    const { sut, pending, count } = setup();
    const first = sut.verify('s', 'h');
    const second = sut.verify('s', 'h');
    await expect(sut.verify('s', 'h')).rejects.toBeInstanceOf(VerificationBusyError);
    await expect(sut.verify('s', 'h')).rejects.toMatchObject({
      code: 'AUTH.BUSY',
      kind: 'unavailable',
      retryAfterSeconds: 1,
    });
    await Promise.resolve();
    expect(pending).toHaveLength(1);
    pending[0](true);
    await expect(first).resolves.toBe(true);
    await new Promise(setImmediate);
    expect(pending).toHaveLength(2);
    pending[1](false);
    await expect(second).resolves.toBe(false);
    expect(await count('auth_secret_verifications_total')).toBe(2);
    expect(await count('auth_secret_verifications_refused_total')).toBe(2);
  });

  it('frees the slot when a verification fails', async () => {
    const metrics = new MetricsService();
    let calls = 0;
    const hasher = strictFake<SecretHasher>(
      { verify: () => (++calls === 1 ? Promise.reject(new Error('scrypt failed')) : Promise.resolve(true)) },
      'hasher',
    );
    const sut = new SecretVerificationGate(hasher, metrics, config);
    await expect(sut.verify('s', 'h')).rejects.toThrow('scrypt failed');
    await expect(sut.verify('s', 'h')).resolves.toBe(true);
  });
});
