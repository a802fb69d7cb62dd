import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { SecretHasher } from '../crypto/secret-hasher';
import { MetricsService } from '../../observability/metrics.service';
import { VerificationBusyError } from './auth.errors';

/** A slot frees every verification (~140 ms), so a refused caller can come back soon. */
const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * Bounds the CPU and memory unauthenticated callers can make this process spend on secret verification (scrypt,
 * ~140 ms and 32 MiB each): at most `AUTH_VERIFY_CONCURRENCY` run at once, up to `AUTH_VERIFY_QUEUE` more wait for
 * a slot in arrival order, and any beyond those are refused at once (`VerificationBusyError`, 503 with Retry-After)
 * rather than queued without bound.
 */
@Injectable()
export class SecretVerificationGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly started: Counter;
  private readonly refused: Counter;

  constructor(
    private readonly hasher: SecretHasher,
    metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    this.started = metrics.counter({
      name: 'auth_secret_verifications_total',
      help: 'Client secret verifications (scrypt) started by POST /auth/token',
    });
    this.refused = metrics.counter({
      name: 'auth_secret_verifications_refused_total',
      help: 'Token requests answered 503 AUTH.BUSY because every verification slot and queue place was taken',
    });
  }

  /** `hasher.verify` inside a slot; throws `VerificationBusyError` when no slot or queue place is free. */
  async verify(secret: string, stored: string): Promise<boolean> {
    await this.acquire();
    try {
      this.started.inc();
      return await this.hasher.verify(secret, stored);
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.config.auth.verifyConcurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.config.auth.verifyQueue) {
      this.refused.inc();
      return Promise.reject(new VerificationBusyError(BUSY_RETRY_AFTER_SECONDS));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot straight to the longest waiter (`running` stays), or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
