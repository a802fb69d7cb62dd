import { Injectable } from '@nestjs/common';
import type { Role } from '../../common/auth/auth-user';
import { isUuid } from '../../common/ids/uuid';
import { AuditService } from '../audit/audit.service';
import { SecurityMonitor } from '../metrics/security-monitor';
import { ApiClientsService } from './api-clients.service';
import { InvalidClientCredentialsError, TooManyFailedAttemptsError } from './auth.errors';
import type { ApiClient } from './entities/api-client.entity';
import { FailedAttemptsStore } from './failed-attempts.store';
import { SecretVerificationGate } from './secret-verification.gate';
import { TokenService, type IssuedToken } from './token.service';

/** Compared against when the client does not exist, so a miss costs the same time as a wrong secret. */
const DECOY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Client ids are uuids; one client has one spelling, so `ABC…` and ` abc…` share its failure budget. */
function canonicalClientId(clientId: string): string | null {
  const id = clientId.trim().toLowerCase();
  return isUuid(id) ? id : null;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly verifier: SecretVerificationGate,
    private readonly tokens: TokenService,
    private readonly attempts: FailedAttemptsStore,
    private readonly audit: AuditService,
    private readonly security: SecurityMonitor,
  ) {}

  /**
   * Client credentials → access token. Failures are limited per (address, client id) — `AUTH_MAX_FAILED_ATTEMPTS` in
   * `AUTH_FAILED_WINDOW_SECONDS` — and per client id (`AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT`); past either the attempt
   * is refused until the window ends. An attempt is counted before its secret is checked, so parallel attempts cannot
   * outrun the limit; a right secret gives it back.
   */
  async issueClientToken(rawClientId: string, clientSecret: string, ip: string): Promise<IssuedToken> {
    const clientId = canonicalClientId(rawClientId);
    if (!clientId) {
      // No client has such an id; the answer is the same as for an unknown one, without spending a verification.
      this.security.loginFailed('unknown_or_revoked_client');
      await this.refused(rawClientId, ip, 'failed', { reason: 'malformed_client_id' });
      throw new InvalidClientCredentialsError();
    }
    const reservation = await this.attempts.reserve(ip, clientId);
    if (!reservation.granted) {
      this.security.loginFailed('locked_out');
      await this.refused(clientId, ip, 'locked_out');
      throw new TooManyFailedAttemptsError(reservation.retryAfterSeconds);
    }
    let client: ApiClient | null;
    let valid: boolean;
    try {
      client = await this.clients.findActive(clientId);
      valid = await this.verifier.verify(clientSecret, client?.secretHash ?? DECOY_HASH);
    } catch (error) {
      // Shed or failed before a verdict: no secret was judged, so this is no failed attempt.
      await this.attempts.cancel(ip, clientId);
      throw error;
    }
    if (!client || !valid) {
      const reason = client ? 'wrong_secret' : 'unknown_or_revoked_client';
      this.security.loginFailed(reason);
      await this.refused(clientId, ip, 'failed', { reason, failures: reservation.pairCount });
      throw new InvalidClientCredentialsError();
    }
    await this.attempts.succeeded(ip, clientId);
    await this.clients.touch(client.id);
    return this.tokens.sign(client.id, client.roles as Role[]);
  }

  /** Audits a refused token request: `failed` (bad credentials) or `locked_out` (too many failures, denied). */
  private refused(
    clientId: string,
    ip: string,
    what: 'failed' | 'locked_out',
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      actor: clientId,
      actorType: 'client',
      action: `auth.token.${what}`,
      outcome: what === 'failed' ? 'failure' : 'denied',
      ip,
      ...(details ? { details } : {}),
    });
  }
}
