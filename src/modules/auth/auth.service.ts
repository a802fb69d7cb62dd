import { Injectable } from '@nestjs/common';
import type { Role } from '../../common/auth/auth-user';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { SecurityMonitor } from '../metrics/security-monitor';
import { ApiClientsService } from './api-clients.service';
import { InvalidClientCredentialsError, TooManyFailedAttemptsError } from './auth.errors';
import { FailedAttemptsStore } from './failed-attempts.store';
import { SecretHasher } from '../crypto/secret-hasher';
import { TokenService, type IssuedToken } from './token.service';

/** Compared against when the client does not exist, so a miss costs the same time as a wrong secret. */
const DECOY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

@Injectable()
export class AuthService {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly hasher: SecretHasher,
    private readonly tokens: TokenService,
    private readonly attempts: FailedAttemptsStore,
    private readonly audit: AuditService,
    private readonly security: SecurityMonitor,
    private readonly config: AppConfig,
  ) {}

  /**
   * Client credentials → access token. Failures are limited per (address, client id): after
   * `AUTH_MAX_FAILED_ATTEMPTS` in `AUTH_FAILED_WINDOW_SECONDS` the pair is refused until the window ends.
   */
  async issueClientToken(clientId: string, clientSecret: string, ip: string): Promise<IssuedToken> {
    const key = `${ip}|${clientId}`;
    const state = await this.attempts.get(key);
    if (state.count >= this.config.auth.maxFailedAttempts) {
      this.security.loginFailed('locked_out');
      await this.audit.record({ actor: clientId, actorType: 'client', action: 'auth.token.locked_out', outcome: 'denied', ip });
      throw new TooManyFailedAttemptsError(state.retryAfterSeconds);
    }
    const client = await this.clients.findActive(clientId);
    const valid = await this.hasher.verify(clientSecret, client?.secretHash ?? DECOY_HASH);
    if (!client || !valid) {
      const after = await this.attempts.increment(key);
      this.security.loginFailed(client ? 'wrong_secret' : 'unknown_or_revoked_client');
      await this.audit.record({
        actor: clientId,
        actorType: 'client',
        action: 'auth.token.failed',
        outcome: 'failure',
        ip,
        details: { reason: client ? 'wrong_secret' : 'unknown_or_revoked_client', failures: after.count },
      });
      throw new InvalidClientCredentialsError();
    }
    await this.attempts.reset(key);
    await this.clients.touch(client.id);
    return this.tokens.sign(client.id, client.roles as Role[]);
  }
}
