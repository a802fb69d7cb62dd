import { Injectable } from '@nestjs/common';
import { DataKeyStore } from './data-key.store';
import type { KeyRotation } from './entities/key-rotation.entity';
import { KeyRing } from './key-ring';
import { KeyRotationService } from './key-rotation.service';
import { SystemKeyStore } from './system-key.store';

export interface KekUsage {
  id: string;
  configured: boolean;
  current: boolean;
  dataKeys: number;
  systemKeys: number;
}

export interface CryptoStatus {
  currentKeyId: string;
  keys: KekUsage[];
  keysNotOnCurrent: number;
  retirableKeyIds: string[];
  rotation: KeyRotation | null;
}

/** Which KEK wraps how many keys, so an operator knows when an old key can leave the configuration. */
@Injectable()
export class KeyStatusService {
  constructor(
    private readonly keyRing: KeyRing,
    private readonly dataKeys: DataKeyStore,
    private readonly systemKeys: SystemKeyStore,
    private readonly rotations: KeyRotationService,
  ) {}

  async usage(): Promise<KekUsage[]> {
    const [data, system] = await Promise.all([this.dataKeys.countByKek(), this.systemKeys.countByKek()]);
    const ids = [...new Set([...this.keyRing.ids(), ...data.keys(), ...system.keys()])];
    return ids.map((id) => ({
      id,
      configured: this.keyRing.has(id),
      current: id === this.keyRing.currentKeyId,
      dataKeys: data.get(id) ?? 0,
      systemKeys: system.get(id) ?? 0,
    }));
  }

  async status(): Promise<CryptoStatus> {
    const [keys, rotation] = await Promise.all([this.usage(), this.rotations.latest()]);
    return {
      currentKeyId: this.keyRing.currentKeyId,
      keys,
      keysNotOnCurrent: keys.filter((k) => !k.current).reduce((n, k) => n + k.dataKeys + k.systemKeys, 0),
      retirableKeyIds: keys
        .filter((k) => !k.current && k.configured && k.dataKeys + k.systemKeys === 0)
        .map((k) => k.id),
      rotation,
    };
  }
}
