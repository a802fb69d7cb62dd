export type AuditOutcome = 'success' | 'failure' | 'denied';
export type AuditActorType = 'user' | 'service' | 'admin' | 'client' | 'system' | 'anonymous';

/** One audit fact. Never put payloads, secrets or tokens in `details`. */
export interface AuditRecord {
  actor: string;
  actorType: AuditActorType;
  action: string;
  target?: string | null;
  outcome: AuditOutcome;
  ip?: string | null;
  details?: Record<string, unknown> | null;
}
