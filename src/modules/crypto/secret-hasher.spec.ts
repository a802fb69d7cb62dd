import { SecretHasher } from './secret-hasher';

describe(SecretHasher.name, () => {
  const sut = new SecretHasher();

  it('verifies the right secret and refuses a wrong one, with a salted self-describing hash', async () => {
    const secret = sut.newSecret();
    const hash = await sut.hash(secret);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain(secret);
    expect(await sut.verify(secret, hash)).toBe(true);
    expect(await sut.verify(`${secret}x`, hash)).toBe(false);
    expect(await sut.hash(secret)).not.toBe(hash);
  });

  it('refuses malformed stored hashes', async () => {
    expect(await sut.verify('x', 'plain-text')).toBe(false);
    expect(await sut.verify('x', 'bcrypt$1$2$3$4$5')).toBe(false);
  });
});
