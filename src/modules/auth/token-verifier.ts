import { Injectable } from '@nestjs/common';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppConfig } from '../../config/app-config';
import { UnauthenticatedError } from './auth.errors';
import { claimsToUser } from './token-claims';
import { CLOCK_TOLERANCE_SECONDS } from './verified-tokens';

/** What an OpenID Connect provider may sign with. */
const PROVIDER_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Verifies a bearer token and returns its caller. Two kinds, told apart by the header's `alg` and verified each
 * with its own key and algorithm list only, so no algorithm confusion is possible (an HS256 token "signed" with a
 * provider's public key is checked against `JWT_SECRET` and fails):
 *  - HS256, signed with `JWT_SECRET`: this service's own tokens (`POST /auth/token`) and development tokens;
 *  - RS256 / ES256 from the OpenID Connect provider (`AUTH_JWKS_URL`), checked against its key set, issuer and
 *    audience, with the roles read from `AUTH_ROLES_CLAIM`. A token naming a key the set lacks makes the set be
 *    fetched again (a key rotation), at most once per AUTH_JWKS_COOLDOWN_SECONDS.
 */
@Injectable()
export class TokenVerifier {
  private readonly secret: KeyObject;
  private readonly provider?: { keys: ReturnType<typeof createRemoteJWKSet>; issuer: string; audience: string };

  constructor(private readonly config: AppConfig) {
    this.secret = createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
    const oidc = config.auth.oidc;
    if (oidc)
      this.provider = {
        keys: createRemoteJWKSet(new URL(oidc.jwksUrl), {
          cooldownDuration: oidc.cooldownSeconds * 1000,
          timeoutDuration: 5000,
        }),
        issuer: oidc.issuer,
        audience: oidc.audience,
      };
  }

  async verify(token: string): Promise<AuthUser> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new UnauthenticatedError('The token is invalid');
    }
    try {
      if (alg === 'HS256') {
        const { payload } = await jwtVerify(token, this.secret, {
          algorithms: ['HS256'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
        return claimsToUser(payload);
      }
      if (this.provider && alg && PROVIDER_ALGORITHMS.includes(alg)) {
        const { payload } = await jwtVerify(token, this.provider.keys, {
          algorithms: PROVIDER_ALGORITHMS,
          issuer: this.provider.issuer,
          audience: this.provider.audience,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
        return claimsToUser({ ...payload, roles: claimAt(payload, this.config.auth.rolesClaim) });
      }
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('The token has expired');
      if (error instanceof UnauthenticatedError) throw error;
      throw new UnauthenticatedError('The token is invalid');
    }
    throw new UnauthenticatedError('The token is invalid');
  }
}

/** The claim at a dotted path (`realm_access.roles`), or undefined. */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.'))
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}
