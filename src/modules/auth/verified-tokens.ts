import { TtlLruCache } from '../../common/cache/ttl-lru-cache';
import type { AuthUser } from '../../common/auth/auth-user';

/** Seconds a token is still accepted after its `exp`, as the verifier allows (`clockTolerance`). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Bearer tokens that passed full verification recently, so a client sending the same token again is not
 * re-verified on every request (HMAC, JSON parsing and claim checks are a tenth of a small request's cost).
 * Entries live at most `maxAgeMs` and never past the token's own expiry plus the clock tolerance; only the exact
 * token string that was verified matches. In memory only.
 */
export class VerifiedTokens {
  private readonly cache: TtlLruCache<string, { user: AuthUser; acceptUntilMs: number }>;

  constructor(
    maxEntries = 10_000,
    maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new TtlLruCache(maxEntries, maxAgeMs, now);
  }

  get(token: string): AuthUser | undefined {
    const hit = this.cache.get(token);
    if (!hit) return undefined;
    if (this.now() >= hit.acceptUntilMs) {
      this.cache.delete(token);
      return undefined;
    }
    return hit.user;
  }

  /** Remembers a token the verifier accepted for `user`; tokens without a numeric `exp` are not remembered. */
  remember(token: string, user: AuthUser): void {
    const exp = expiryOf(token);
    if (exp === undefined) return;
    this.cache.set(token, {
      user: Object.freeze({ sub: user.sub, roles: [...user.roles] }),
      acceptUntilMs: (exp + CLOCK_TOLERANCE_SECONDS) * 1000,
    });
  }
}

function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([A-Za-z0-9_.-]{1,4096})$/i.exec(header.trim());
  return match?.[1];
}
