import { DomainError } from '../errors/domain.error';
import { isUuid } from '../ids/uuid';
export const ROLES = ['user', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The verified caller of a request, taken from its bearer token. */
export interface AuthUser {
  /** A user's uuid, or an API client's id. */
  sub: string;
  roles: Role[];
}

export function hasRole(user: AuthUser, role: Role): boolean {
  return user.roles.includes(role);
}

export function isAdmin(user: AuthUser): boolean {
  return hasRole(user, 'admin');
}

/** Raised on `/me` routes when the token's subject is not a user (e.g. an API client's id). */
export class NotAUserError extends DomainError {
  constructor() {
    super('AUTH.NOT_A_USER', 'forbidden', 'This route acts on the calling user; the token’s sub is not a user id');
  }
}

/** The calling user's id, canonical (lower case), for routes that act on the caller's own data. */
export function selfUserId(user: AuthUser): string {
  if (!isUuid(user.sub)) throw new NotAUserError();
  return user.sub.toLowerCase();
}
