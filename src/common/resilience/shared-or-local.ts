import type { Logger } from '@nestjs/common';

/**
 * State that is shared (through Redis, say) while the shared store is configured and up, and kept in this process
 * otherwise: `run` gives a step the shared store, or answers null (the caller then uses its in-process copy) when
 * there is none, it is not up, or the step failed. A caller never waits for or fails on an unreachable store. The
 * switch both ways is logged once, naming `what`.
 */
export class SharedOrLocal<S> {
  private degraded = false;

  constructor(
    private readonly shared: S | null,
    private readonly isUp: (shared: S) => boolean,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  async run<T>(step: (shared: S) => Promise<T>): Promise<T | null> {
    if (!this.shared) return null;
    if (!this.isUp(this.shared)) {
      this.switchTo(true, 'Redis is not connected');
      return null;
    }
    try {
      const result = await step(this.shared);
      this.switchTo(false);
      return result;
    } catch (error) {
      this.switchTo(true, (error as Error).message);
      return null;
    }
  }

  private switchTo(degraded: boolean, reason?: string): void {
    if (degraded === this.degraded) return;
    this.degraded = degraded;
    if (degraded)
      this.logger.warn(`${this.what} kept in this instance only (${reason}); they are shared again when Redis is back`);
    else this.logger.log(`${this.what} shared through Redis again`);
  }
}
