import { createHash } from 'node:crypto';

export interface ChainedFields {
  pseudonym: string;
  purpose: string;
  granted: boolean;
  policyVersion: string;
  source: string;
  actor: string;
  recordedAt: Date;
}

/**
 * SHA-256 over the previous record's hash and this record's fields (the subject as its pseudonym), as a JSON
 * array so field boundaries are unambiguous. Changing, removing or reordering any record breaks every later hash.
 */
export function consentRecordHash(prevHash: string | null, f: ChainedFields): string {
  const material = JSON.stringify([
    1,
    prevHash ?? '',
    f.pseudonym,
    f.purpose,
    f.granted,
    f.policyVersion,
    f.source,
    f.actor,
    f.recordedAt.toISOString(),
  ]);
  return createHash('sha256').update(material).digest('hex');
}
