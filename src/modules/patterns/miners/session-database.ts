/**
 * The sessions of one module, packed for sequence mining: every action is a small integer code, sessions lie back
 * to back in one typed array. About 4 bytes per event and 8 per session, so a module of a million events takes
 * about 5 MB however long the action names are.
 */
export interface SessionDatabase {
  /** Action codes (0..names.length-1), the sessions back to back. */
  readonly items: Uint32Array;
  /** Session s spans items[starts[s] .. starts[s + 1]); length sessionCount + 1. */
  readonly starts: Int32Array;
  /** The user of each session as an index; the sessions of one user are consecutive and users ascend. */
  readonly users: Int32Array;
  readonly sessionCount: number;
  /** Distinct users with at least one session. */
  readonly userCount: number;
  /** The action name of each code. */
  readonly names: readonly string[];
}

/** Builds a SessionDatabase from sessions added grouped by user (all of one user's sessions before the next's). */
export class SessionDatabaseBuilder {
  private items = new Uint32Array(1024);
  private starts = new Int32Array(256);
  private users = new Int32Array(256);
  private sessions = 0;
  private length = 0;
  private userCount = 0;
  private lastUser: string | undefined;
  private readonly codes = new Map<string, number>();
  private readonly names: string[] = [];

  add(user: string, actions: readonly string[]): void {
    if (actions.length === 0) return;
    if (user !== this.lastUser) {
      this.lastUser = user;
      this.userCount++;
    }
    if (this.sessions + 2 > this.starts.length) {
      this.starts = grow(this.starts, this.starts.length * 2);
      this.users = grow(this.users, this.users.length * 2);
    }
    if (this.length + actions.length > this.items.length)
      this.items = grow(this.items, Math.max(this.items.length * 2, this.length + actions.length));
    this.starts[this.sessions] = this.length;
    this.users[this.sessions] = this.userCount - 1;
    this.sessions++;
    for (const action of actions) this.items[this.length++] = this.code(action);
  }

  build(): SessionDatabase {
    const starts = this.starts.slice(0, this.sessions + 1);
    starts[this.sessions] = this.length;
    return {
      items: this.items.slice(0, this.length),
      starts,
      users: this.users.slice(0, this.sessions),
      sessionCount: this.sessions,
      userCount: this.userCount,
      names: [...this.names],
    };
  }

  private code(action: string): number {
    let code = this.codes.get(action);
    if (code === undefined) {
      code = this.names.length;
      this.codes.set(action, code);
      this.names.push(action);
    }
    return code;
  }
}

function grow<T extends Uint32Array | Int32Array>(array: T, size: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  return bigger;
}
