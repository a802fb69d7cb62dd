import { Inject, Injectable } from '@nestjs/common';
import { CiphertextIntegrityError, DataShreddedError } from '../crypto/crypto.errors';
import { FieldEncryptionService } from '../crypto/field-encryption.service';
import { eventDataContext } from '../learning/event-data-context';
import { CONSENTED_EVENTS, PatternMinerBase, type MinedPattern, type MiningWindow } from './pattern-miner';

/** Events of one type that share a blind-index signature in a module, and enough distinct users to be published. */
export interface SignatureGroup {
  module: string;
  signature: string;
  /** Distinct users with an event in the group. */
  support: number;
  occurrences: number;
  /** The decrypted `data` of the group's readable examples, each from a different user, in a stable order. */
  examples: Record<string, unknown>[];
}

/**
 * Finds the signature groups of an event type — what miners that publish text (corrections, reported patterns) start
 * from — and decrypts up to `sample` examples of each, one per user. Occurrences count each user's events at most
 * MINING_MAX_OCCURRENCES_PER_USER times; in DP mode each user counts towards at most L groups. Only groups MIN_USER_SUPPORT users share are
 * decrypted at all. An event whose key was shredded (its user is being erased) or whose ciphertext does not
 * authenticate is skipped, never published.
 */
@Injectable()
export class SignatureGroupReader {
  constructor(private readonly encryption: FieldEncryptionService) {}

  /**
   * One pattern per group `describe` can publish: it turns the group's examples into the pattern's items (and any
   * further counts), or answers undefined when no example is readable or acceptable this run.
   */
  async patterns(
    window: MiningWindow,
    eventType: string,
    sample: number,
    describe: (group: SignatureGroup) => Pick<MinedPattern, 'items' | 'counts'> | undefined,
  ): Promise<MinedPattern[]> {
    return (await this.groups(window, eventType, sample)).flatMap((group) => {
      const described = describe(group);
      if (!described) return [];
      const { module, signature, support, occurrences } = group;
      return [{ module, signature, support, occurrences, ...described }];
    });
  }

  private async groups(window: MiningWindow, eventType: string, sample: number): Promise<SignatureGroup[]> {
    const found = await window.query<{
      module: string;
      signature: string;
      support: number;
      occurrences: string;
      examples: string[];
    }>(
      `WITH per_user AS (
         SELECT module, signature, user_id, count(*) AS n, min(id::text)::uuid AS first_id
           FROM ${CONSENTED_EVENTS} e
          WHERE event_type = $4 AND signature IS NOT NULL
          GROUP BY module, signature, user_id
       )
       SELECT module, signature, count(*)::int AS support, sum(least(n, $6))::bigint AS occurrences,
              (array_agg(first_id ORDER BY first_id))[1:$5::int] AS examples
         FROM ${window.dp ? window.dp.bounded('per_user', "module || '|' || signature") : 'per_user'} u
        GROUP BY module, signature
       HAVING count(*) >= $3`,
      [window.from, window.to, window.minUserSupport, eventType, sample, window.settings.maxOccurrencesPerUser],
    );
    // DP mode: only what the run's selection will publish is decrypted.
    const dp = window.dp;
    const chosen = dp ? found.filter((r) => dp.keeps(r.module, r.signature, r.support)) : found;
    const data = await this.decrypt(
      window,
      chosen.flatMap((r) => r.examples),
    );
    return chosen.map((r) => ({
      module: r.module,
      signature: r.signature,
      support: r.support,
      occurrences: Number(r.occurrences),
      examples: r.examples.map((id) => data.get(id)).filter((d) => d !== undefined),
    }));
  }

  private async decrypt(window: MiningWindow, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    if (ids.length === 0) return out;
    const rows = await window.query<{ id: string; user_id: string; payload: Buffer }>(
      'SELECT id, user_id, payload FROM consented_learning_events WHERE id = ANY($1::uuid[])',
      [ids],
    );
    for (const row of rows) {
      try {
        out.set(row.id, await this.encryption.decryptJson(eventDataContext(row.id, row.user_id), row.payload));
      } catch (error) {
        if (!(error instanceof DataShreddedError) && !(error instanceof CiphertextIntegrityError)) throw error;
      }
    }
    return out;
  }
}

/** What a signature-group miner publishes of one group: its items (and further counts), or undefined for none. */
export type GroupDescription = Pick<MinedPattern, 'items' | 'counts'> | undefined;

/**
 * A miner of signature groups (the text users share: corrections, reported patterns), DP-capable:
 * `class CorrectionMiner extends SignatureGroupMiner('correction', { eventType: 'correction', sample: 3 })`. The
 * class says what a group publishes (`describe`), from up to `sample` decrypted examples of different users.
 */
export function SignatureGroupMiner(name: string, source: { eventType: string; sample: number }) {
  @Injectable()
  abstract class GroupMiner extends PatternMinerBase(name, { supportsDp: true }) {
    constructor(@Inject(SignatureGroupReader) private readonly reader: SignatureGroupReader) {
      super();
    }

    mine(window: MiningWindow): Promise<MinedPattern[]> {
      return this.reader.patterns(window, source.eventType, source.sample, (group) => this.describe(group, window));
    }

    protected abstract describe(group: SignatureGroup, window: MiningWindow): GroupDescription;
  }
  return GroupMiner;
}
