import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { BlindIndexRootLoader } from './blind-index-root.loader';
import { BlindIndexService } from './blind-index.service';
import { KeyRotationService } from './key-rotation.service';
import { KeyStatusService } from './key-status.service';

/** The key ring no longer holds a KEK that still wraps stored keys: starting would make them unreadable. */
export class MissingKeyEncryptionKeyError extends Error {
  constructor(missing: { id: string; dataKeys: number; systemKeys: number }[]) {
    const list = missing
      .map((k) => `${k.id} still wraps ${k.dataKeys} data key(s) and ${k.systemKeys} service key(s)`)
      .join('; ');
    super(
      `Refusing to start: ENCRYPTION_KEY(S) lacks key-encryption keys that are still in use (${list}). ` +
        'Put them back, run POST /api/v1/crypto/rotate, and remove them only when GET /api/v1/crypto/status lists them as retirable.',
    );
    this.name = 'MissingKeyEncryptionKeyError';
  }
}

/**
 * Runs once the database is migrated: refuses to boot when a KEK that still wraps keys was removed, loads the
 * blind-index key, and resumes an interrupted rotation.
 */
@Injectable()
export class CryptoBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly status: KeyStatusService,
    private readonly rootLoader: BlindIndexRootLoader,
    private readonly blindIndex: BlindIndexService,
    private readonly rotations: KeyRotationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const missing = (await this.status.usage()).filter((k) => !k.configured);
    if (missing.length > 0) throw new MissingKeyEncryptionKeyError(missing);
    this.blindIndex.useRootKey(await this.rootLoader.load());
    await this.rotations.resumeInterrupted();
  }
}
