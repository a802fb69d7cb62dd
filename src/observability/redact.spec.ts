import { redact, redactString } from './redact';

describe(redact.name, () => {
  it('masks secret-looking keys at any depth and keeps the rest', () => {
    const sut = redact({
      user: 'u1',
      headers: { authorization: 'Bearer abc', accept: 'json' },
      body: { clientSecret: 's', data: { text: 'private' }, n: 1 },
    });
    expect(sut).toEqual({
      user: 'u1',
      headers: { authorization: '[redacted]', accept: 'json' },
      body: { clientSecret: '[redacted]', data: '[redacted]', n: 1 },
    });
  });

  it('cuts bearer tokens and JWTs out of free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(redactString(`header Bearer ${jwt} and raw ${jwt}`)).toBe('header Bearer [redacted] and raw [redacted-jwt]');
  });

  it('removes credentials from connection URLs', () => {
    expect(redactString('connect postgresql://app:s3cret@db:5432/x and redis://:pw@r:6379 failed')).toBe(
      'connect postgresql://[redacted]@db:5432/x and redis://[redacted]@r:6379 failed',
    );
  });
});
