import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '../../common/auth/auth-user';
import { AppConfig } from '../../config/app-config';

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Signs access tokens (HS256, `sub`, `roles`, `exp`) — the only shape `JwtStrategy` accepts. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  sign(sub: string, roles: Role[], ttlSeconds = this.config.auth.accessTokenTtlSeconds): IssuedToken {
    const accessToken = this.jwt.sign(
      { sub, roles },
      { algorithm: 'HS256', expiresIn: ttlSeconds, secret: this.config.auth.jwtSecret },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: ttlSeconds };
  }
}
