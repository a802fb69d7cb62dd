/** Emitted (through @nestjs/event-emitter) after a withdrawal is committed, so other modules react without importing this one. */
export const CONSENT_WITHDRAWN = 'consent.withdrawn';

export interface ConsentWithdrawnEvent {
  userId: string;
  purpose: string;
  /** `delete`: remove the user's stored learning data; `exclude`: keep it, never mine it again. */
  action: 'delete' | 'exclude';
  at: Date;
}
