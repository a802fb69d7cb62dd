import type { ExecutionContext } from '@nestjs/common';
import type { RouteMetadata } from '../../common/metadata/route-metadata';
import type { AuthUser, Role } from '../../common/auth/auth-user';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../common/decorators/auth.decorators';
import { ForbiddenRoleError } from '../../common/auth/forbidden-role.error';
import { RolesGuard } from './roles.guard';

function contextFor(
  user: AuthUser | undefined,
  meta: Record<string, unknown>,
): { ctx: ExecutionContext; reflector: RouteMetadata } {
  const reflector = { getAllAndOverride: (key: string) => meta[key] } as unknown as RouteMetadata;
  const ctx = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
  return { ctx, reflector };
}

describe(RolesGuard.name, () => {
  const user = (roles: Role[]): AuthUser => ({ sub: 'x', roles });

  it('lets any verified caller through a route without @Roles', () => {
    const { ctx, reflector } = contextFor(user(['user']), {});
    expect(new RolesGuard(reflector).canActivate(ctx)).toBe(true);
  });

  it('requires one of the roles, and lets admins through every role check', () => {
    const meta = { [REQUIRED_ROLES]: ['service'] };
    expect(
      new RolesGuard(contextFor(user(['service']), meta).reflector).canActivate(
        contextFor(user(['service']), meta).ctx,
      ),
    ).toBe(true);
    const admin = contextFor(user(['admin']), meta);
    expect(new RolesGuard(admin.reflector).canActivate(admin.ctx)).toBe(true);
    const plain = contextFor(user(['user']), meta);
    expect(() => new RolesGuard(plain.reflector).canActivate(plain.ctx)).toThrow(ForbiddenRoleError);
  });

  it('skips public routes', () => {
    const { ctx, reflector } = contextFor(undefined, { [IS_PUBLIC]: true, [REQUIRED_ROLES]: ['admin'] });
    expect(new RolesGuard(reflector).canActivate(ctx)).toBe(true);
  });
});
