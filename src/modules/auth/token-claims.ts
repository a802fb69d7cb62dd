import { ROLES, type AuthUser, type Role } from '../../common/auth/auth-user';
import { isUuid } from '../../common/ids/uuid';
import { UnauthenticatedError } from './auth.errors';

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
