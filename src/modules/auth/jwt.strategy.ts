import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ROLES, type AuthUser, type Role } from '../../common/auth/auth-user';
import { isUuid } from '../../common/ids/uuid';
import { AppConfig } from '../../config/app-config';
import { UnauthenticatedError } from './auth.errors';
import { CLOCK_TOLERANCE_SECONDS } from './verified-tokens';

interface TokenClaims {
  sub?: unknown;
  roles?: unknown;
  exp?: unknown;
}

/** Checks the claims the signature check leaves open: `exp` present, `sub` and `roles` well-formed. */
export function claimsToUser(claims: TokenClaims): AuthUser {
  if (typeof claims.exp !== 'number') throw new UnauthenticatedError('The token has no expiry (exp)');
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 200) {
    throw new UnauthenticatedError('The token has no valid subject (sub)');
  }
  const roles = claims.roles;
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    !roles.every((r): r is Role => (ROLES as readonly unknown[]).includes(r))
  ) {
    throw new UnauthenticatedError(`The token's roles must be a non-empty array of ${ROLES.join(', ')}`);
  }
  const user: AuthUser = { sub: claims.sub, roles: [...new Set(roles)] };
  if (!user.roles.some((r) => r !== 'user') && !isUuid(user.sub)) {
    throw new UnauthenticatedError("A user token's subject must be the user's uuid");
  }
  return user;
}

/**
 * Bearer JWT verification: HS256 with `JWT_SECRET` only, so `alg: none` and algorithm confusion (an RS256/HS256
 * swap) are refused by the verifier itself.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, so jsonwebtoken does not try (and fail) to read the secret as a public key on every request.
      secretOrKey: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')) as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
    });
  }

  validate(claims: TokenClaims): AuthUser {
    return claimsToUser(claims);
  }
}
