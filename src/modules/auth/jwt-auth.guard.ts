import { ExecutionContext, Injectable } from '@nestjs/common';
import { RouteMetadata } from '../../common/metadata/route-metadata';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../../common/decorators/auth.decorators';
import { DomainError } from '../../common/errors/domain.error';
import type { AuthUser } from '../../common/auth/auth-user';
import { UnauthenticatedError } from './auth.errors';
import { bearerToken, VerifiedTokens } from './verified-tokens';

function reasonFor(info: unknown): string {
  const name = (info as { name?: string } | undefined)?.name;
  const message = (info as { message?: string } | undefined)?.message ?? '';
  if (name === 'TokenExpiredError') return 'The token has expired';
  if (/No auth token/i.test(message)) return 'A bearer token is required (Authorization: Bearer <token>)';
  return 'The token is invalid';
}

/**
 * Global guard: every route needs a verified bearer token unless it is marked `@Public()`. Verification is
 * passport-jwt's; a token it accepted is remembered for a minute at most (`VerifiedTokens`), never past its expiry.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly verified = new VerifiedTokens();

  constructor(private readonly reflector: RouteMetadata) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined>; user?: AuthUser }>();
    const token = bearerToken(request.headers.authorization);
    const known = token ? this.verified.get(token) : undefined;
    if (known) {
      request.user = known;
      return true;
    }
    const allowed = (await super.canActivate(context)) as boolean;
    if (allowed && token && request.user) this.verified.remember(token, request.user);
    return allowed;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (err instanceof DomainError) throw err;
    if (err || !user) throw new UnauthenticatedError(reasonFor(info));
    return user;
  }
}
