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
