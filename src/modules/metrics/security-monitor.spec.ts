import type { AppConfig } from '../../config/app-config';
import type { AuditService } from '../audit/audit.service';
import { MetricsService } from '../../observability/metrics.service';
import { MAX_TRACKED_ADDRESSES, SecurityMonitor } from './security-monitor';

function setup(threshold = 3) {
  const metrics = new MetricsService();
  const audited: unknown[] = [];
  const audit = { record: async (entry: unknown) => void audited.push(entry) } as unknown as AuditService;
  const sut = new SecurityMonitor(metrics, audit, { metrics: { suspiciousDenials: threshold } } as AppConfig);
  const value = async (name: string, labels: Record<string, string>) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    )?.value ?? 0;
  return { sut, audited, value };
}

describe(SecurityMonitor.name, () => {
  it('counts 401, 403 and 429 answers by route and failed logins by reason', async () => {
    const { sut, value } = setup();
    sut.observe('10.0.0.1', 401, '/api/v1/patterns');
    sut.observe('10.0.0.2', 403, '/api/v1/audit');
    sut.observe('10.0.0.3', 429, '/api/v1/patterns');
    sut.loginFailed('wrong_secret');
    expect(await value('security_unauthenticated_requests_total', { route: '/api/v1/patterns' })).toBe(1);
    expect(await value('security_permission_denials_total', { route: '/api/v1/audit' })).toBe(1);
    expect(await value('security_throttled_requests_total', { route: '/api/v1/patterns' })).toBe(1);
    expect(await value('auth_login_failures_total', { reason: 'wrong_secret' })).toBe(1);
  });

  it('flags an address once per minute when its 401/403 answers reach the threshold, and audits it with the address', async () => {
    const { sut, audited, value } = setup(3);
    sut.observe('10.0.0.9', 401, '/a', 0);
    sut.observe('10.0.0.9', 403, '/a', 1000);
    sut.observe('10.0.0.8', 401, '/a', 1000);
    sut.observe('10.0.0.9', 429, '/a', 1500); // throttling is not a denial
    expect(await value('security_suspicious_activity_total', { kind: 'repeated_denials' })).toBe(0);
    sut.observe('10.0.0.9', 401, '/a', 2000);
    sut.observe('10.0.0.9', 401, '/a', 3000);
    expect(await value('security_suspicious_activity_total', { kind: 'repeated_denials' })).toBe(1);
    expect(audited).toEqual([
      expect.objectContaining({
        action: 'security.suspicious_activity',
        ip: '10.0.0.9',
        details: { kind: 'repeated_denials', denials: 3, windowSeconds: 60 },
      }),
    ]);
    // A new minute starts a new count.
    for (const at of [60_000, 60_001]) sut.observe('10.0.0.9', 401, '/a', at);
    expect(await value('security_suspicious_activity_total', { kind: 'repeated_denials' })).toBe(1);
    sut.observe('10.0.0.9', 401, '/a', 60_002);
    expect(await value('security_suspicious_activity_total', { kind: 'repeated_denials' })).toBe(2);
  });

  it('keeps at most MAX_TRACKED_ADDRESSES addresses', () => {
    const { sut } = setup(3);
    for (let i = 0; i < MAX_TRACKED_ADDRESSES + 50; i++) sut.observe(`a${i}`, 401, '/a', i);
    expect(sut.trackedAddresses).toBe(MAX_TRACKED_ADDRESSES);
  });
});
