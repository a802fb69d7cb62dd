import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { MetricsService } from '../../observability/metrics.service';

/** Addresses tracked at once; past it the address tracked longest is forgotten (memory stays bounded). */
export const MAX_TRACKED_ADDRESSES = 10_000;
const WINDOW_MS = 60_000;

type Tracked = { windowStart: number; denials: number; flagged: boolean };

/**
 * Security events as metrics: answers 401 (not authenticated), 403 (permission denied) and 429 (throttled) by
 * route template, failed logins by reason, and suspicious activity — an address that received at least
 * `SECURITY_SUSPICIOUS_DENIALS` answers 401/403 within a minute. Such an address is counted once per minute,
 * logged (without the address) and recorded in the audit log with it, where admins can see it.
 */
@Injectable()
export class SecurityMonitor {
  private readonly logger = new Logger('Security');
  private readonly unauthenticated: Counter<'route'>;
  private readonly denied: Counter<'route'>;
  private readonly throttled: Counter<'route'>;
  private readonly loginFailures: Counter<'reason'>;
  private readonly suspicious: Counter<'kind'>;
  private readonly addresses = new Map<string, Tracked>();

  constructor(
    metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {
    this.unauthenticated = metrics.counter({
      name: 'security_unauthenticated_requests_total',
      help: 'Answers 401: missing, invalid or expired credentials, by route template',
      labelNames: ['route'],
    });
    this.denied = metrics.counter({
      name: 'security_permission_denials_total',
      help: 'Answers 403: authenticated but not allowed (role, other user, no consent), by route template',
      labelNames: ['route'],
    });
    this.throttled = metrics.counter({
      name: 'security_throttled_requests_total',
      help: 'Answers 429: rate limits and failed-login lockouts, by route template',
      labelNames: ['route'],
    });
    this.loginFailures = metrics.counter({
      name: 'auth_login_failures_total',
      help: 'Failed client-credential logins by reason (wrong_secret, unknown_or_revoked_client, locked_out)',
      labelNames: ['reason'],
    });
    this.suspicious = metrics.counter({
      name: 'security_suspicious_activity_total',
      help: 'Suspicious activity detected, by kind (repeated_denials: one address answered 401/403 SECURITY_SUSPICIOUS_DENIALS times in a minute)',
      labelNames: ['kind'],
    });
  }

  loginFailed(reason: 'wrong_secret' | 'unknown_or_revoked_client' | 'locked_out'): void {
    this.loginFailures.inc({ reason });
  }

  /** Called for every answer (an onResponse hook). */
  observe(address: string, status: number, route: string, now = Date.now()): void {
    if (status === 401) this.unauthenticated.inc({ route });
    else if (status === 403) this.denied.inc({ route });
    else if (status === 429) this.throttled.inc({ route });
    if (status === 401 || status === 403) this.countDenial(address, now);
  }

  /** Addresses currently tracked (for tests of the bound). */
  get trackedAddresses(): number {
    return this.addresses.size;
  }

  private countDenial(address: string, now: number): void {
    let tracked = this.addresses.get(address);
    if (!tracked || now - tracked.windowStart >= WINDOW_MS) {
      this.addresses.delete(address); // re-inserted last: the Map's order stays oldest window first
      tracked = { windowStart: now, denials: 0, flagged: false };
      this.addresses.set(address, tracked);
      if (this.addresses.size > MAX_TRACKED_ADDRESSES) this.addresses.delete(this.addresses.keys().next().value!);
    }
    tracked.denials++;
    if (tracked.flagged || tracked.denials < this.config.metrics.suspiciousDenials) return;
    tracked.flagged = true;
    this.suspicious.inc({ kind: 'repeated_denials' });
    this.logger.warn(
      `Suspicious activity: ${tracked.denials} answers 401/403 to one address within a minute (audit action security.suspicious_activity)`,
    );
    void this.audit.record({
      actor: 'anonymous',
      actorType: 'anonymous',
      action: 'security.suspicious_activity',
      outcome: 'denied',
      ip: address,
      details: { kind: 'repeated_denials', denials: tracked.denials, windowSeconds: WINDOW_MS / 1000 },
    });
  }
}
