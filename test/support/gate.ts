/**
 * Holds whoever passes it, from `block()` until `release()`, so a test can keep a run in progress (a miner or a
 * generator waiting inside); `entered` resolves when one arrives at the blocked gate.
 */
export class Gate {
  entered: Promise<void> = Promise.resolve();
  private held: Promise<void> | null = null;
  private open: (() => void) | null = null;
  private arrived: (() => void) | null = null;

  /** The next passes wait at the gate until `release()`. */
  block(): void {
    this.held = new Promise((resolve) => (this.open = resolve));
    this.entered = new Promise((resolve) => (this.arrived = resolve));
  }

  release(): void {
    this.open?.();
    this.held = null;
  }

  /** Where the gated code waits: at once when the gate is open. */
  async pass(): Promise<void> {
    this.arrived?.();
    if (this.held) await this.held;
  }
}
