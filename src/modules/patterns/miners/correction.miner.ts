import { Injectable } from '@nestjs/common';
import { unsafeTextReason } from '../../../common/text/safe-text';
import { normalizeForIndex } from '../../crypto/normalize';
import { SignatureGroupMiner, type GroupDescription, type SignatureGroup } from '../signature-groups';

/** Examples decrypted per qualifying correction, in case the first ones are unreadable (being erased). */
const EXAMPLES = 3;

/**
 * The same normalized correction (original → corrected) made by many users, matched by its blind-index
 * signature, per module. Only corrections that MIN_USER_SUPPORT users made are decrypted (the first readable of up
 * to three examples), and published in the normalized form the signature was computed over — the text k users share.
 * In DP mode each user counts towards at most L corrections, and only those the run's selection keeps are decrypted.
 */
@Injectable()
export class CorrectionMiner extends SignatureGroupMiner('correction', { eventType: 'correction', sample: EXAMPLES }) {
  protected describe(group: SignatureGroup): GroupDescription {
    const example = group.examples.find((d) => isSafeText(d.original) && isSafeText(d.corrected));
    if (!example) return undefined; // no readable (or acceptable) example this run
    return {
      items: {
        original: normalizeForIndex(example.original as string),
        corrected: normalizeForIndex(example.corrected as string),
      },
    };
  }
}

/** Stored before the ingest refused such text, a correction may hold what no pattern should publish. */
const isSafeText = (v: unknown): v is string => typeof v === 'string' && unsafeTextReason(v) === null;
