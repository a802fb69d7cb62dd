import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user';
import { IS_PUBLIC } from '../../common/decorators/auth.decorators';
import { RouteMetadata } from '../../common/metadata/route-metadata';
import { UnauthenticatedError } from './auth.errors';
import { RevokedClients } from './revoked-clients';
import { TokenVerifier } from './token-verifier';
import { bearerToken, VerifiedTokens } from './verified-tokens';

/**
 * Global guard: every route needs a verified bearer token unless it is marked `@Public()`. A token that passed
 * verification (`TokenVerifier`) is remembered for a minute at most (`VerifiedTokens`), never past its expiry; a
 * token of a revoked API client fails even when remembered.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly reflector: RouteMetadata,
    private readonly verifier: TokenVerifier,
    private readonly revoked: RevokedClients,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined>; user?: AuthUser }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthenticatedError('A bearer token is required (Authorization: Bearer <token>)');
    let user = this.verified.get(token);
    if (!user) {
      user = await this.verifier.verify(token);
      this.verified.remember(token, user);
    }
    if (this.revoked.has(user.sub)) throw new UnauthenticatedError('The token’s client has been revoked');
    request.user = user;
    return true;
  }
}
