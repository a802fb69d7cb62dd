import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { RouteMetadata } from '../../common/metadata/route-metadata';
import { isAdmin, type AuthUser, type Role } from '../../common/auth/auth-user';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../common/decorators/auth.decorators';
import { ForbiddenRoleError } from '../../common/auth/forbidden-role.error';

/** Global guard: enforces `@Roles(...)`; admins pass every role check. Runs after `JwtAuthGuard`. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: RouteMetadata) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (!required || required.length === 0) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (user && (isAdmin(user) || required.some((r) => user.roles.includes(r)))) return true;
    throw new ForbiddenRoleError();
  }
}
