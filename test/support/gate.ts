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

/** How a test's own plugin (miner, generator) behaves on its next calls, and a gate to hold it inside a run. */
export class PluginControl<Mode extends string> {
  /** `fail`: throws; any other mode is the plugin's own (e.g. `leak`, `poison`). */
  mode: Mode | 'ok' | 'fail' = 'ok';
  /** Blocked, the next runs wait inside the plugin until it is released. */
  readonly gate = new Gate();

  constructor(private readonly what: string) {}

  /** Where the plugin starts its work: it waits at the gate, then fails on purpose in `fail` mode. */
  async enter(): Promise<void> {
    await this.gate.pass();
    if (this.mode === 'fail') throw new Error(`${this.what} failed on purpose`);
  }
}
