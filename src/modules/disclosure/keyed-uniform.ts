import { Injectable } from '@nestjs/common';
import { BlindIndexService } from '../crypto/blind-index.service';

/** A uniform number in (0, 1) from the first 52 bits of a hex digest. */
export function uniformFromDigest(hex: string): number {
  const bits = Number.parseInt(hex.slice(0, 13), 16);
  return (bits + 0.5) / 2 ** 52;
}

/**
 * The randomness of differentially private releases: a uniform number per label, from a keyed hash (the blind-index
 * root key, its own domain). A label names the figure, its period and its true value, so reading a release again,
 * or computing it again over the same data, gives the same numbers and reveals nothing new, while new data draws
 * anew (and spends budget). Without the key nobody can predict or subtract the noise.
 */
@Injectable()
export class KeyedUniform {
  constructor(private readonly keyed: BlindIndexService) {}

  draw(label: string): number {
    return uniformFromDigest(this.keyed.compute('dp-noise', label));
  }
}
