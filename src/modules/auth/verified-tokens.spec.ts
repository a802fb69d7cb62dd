import { bearerToken, VerifiedTokens } from './verified-tokens';

const tokenWithExp = (exp: unknown) => `h.${Buffer.from(JSON.stringify({ sub: 's', exp })).toString('base64url')}.sig`;
const user = { sub: 's', roles: ['service' as const] };

describe(VerifiedTokens.name, () => {
  it('answers a remembered token until its expiry plus the clock tolerance, and never longer than the cache age', () => {
    let now = 1_000_000_000_000;
    const tokens = new VerifiedTokens(10, 60_000, () => now);
    const token = tokenWithExp(now / 1000 + 30);
    tokens.remember(token, user);
    expect(tokens.get(token)).toEqual(user);
    now += 34_000;
    expect(tokens.get(token)).toEqual(user);
    now += 1_000; // exp + 5 s
    expect(tokens.get(token)).toBeUndefined();

    const longLived = tokenWithExp(now / 1000 + 3600);
    tokens.remember(longLived, user);
    now += 60_000;
    expect(tokens.get(longLived)).toBeUndefined();
  });

  it('matches only the exact token, and ignores tokens without a numeric exp', () => {
    const tokens = new VerifiedTokens();
    const token = tokenWithExp(Date.now() / 1000 + 60);
    tokens.remember(token, user);
    expect(tokens.get(`${token}x`)).toBeUndefined();
    tokens.remember(tokenWithExp('soon'), user);
    expect(tokens.get(tokenWithExp('soon'))).toBeUndefined();
  });

  it('reads bearer tokens strictly', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(['Bearer a'])).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
