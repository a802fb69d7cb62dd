import type { SessionDatabase } from './session-database';

export interface GappedMiningOptions {
  /** Distinct users a sequence needs to be reported (and to be extended: support only falls as a sequence grows). */
  minSupport: number;
  /** Other actions allowed between two consecutive actions of a sequence (0 = contiguous). */
  maxGap: number;
  minLength: number;
  maxLength: number;
  /** Occurrences of a sequence counted per user. */
  maxOccurrencesPerUser: number;
  /** More frequent sequences than this is an error (the caller chose too low a support for its data). */
  maxResults: number;
}

/** A frequent sequence, as action codes of the SessionDatabase. */
export interface FoundSequence {
  codes: number[];
  /** Distinct users with a session containing it. */
  support: number;
  /**
   * Positions where it ends (in each session, each position where some occurrence within the gap ends; with
   * maxGap 0 simply its occurrences), at most maxOccurrencesPerUser per user.
   */
  occurrences: number;
  /**
   * The occurrences of every sequence that extends the one without its last action by one action (each counted
   * as above): occurrences / continuations = P(last | the actions before it).
   */
  continuations: number;
  /** Distinct users with a session where the sequence without its last action is followed by some action. */
  continuationUsers: number;
}

export class TooManySequencesError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} frequent sequences`);
  }
}

/** Lets other work run (e.g. HTTP requests of the process) between slices of mining. */
export type Pause = () => Promise<void>;
const SLICE_MS = 15;
const nextTurn: Pause = () => new Promise((resolve) => setImmediate(resolve));

/**
 * PrefixSpan with a gap constraint over sessions: grows frequent sequences one action at a time from their
 * projected database (the positions where each occurrence of the prefix ends), so only prefixes that enough
 * users share are ever extended. Support counts distinct users, so it is anti-monotone and pruning is exact.
 * Because a gap constraint makes the leftmost occurrence insufficient, a projection keeps every end position of
 * the prefix in each session (deduplicated). Memory is the projections along one path of the search (at most
 * maxLength deep), each at most (maxGap + 1) entries per entry of its parent. The search yields to the event
 * loop every few milliseconds.
 */
export async function mineGappedSequences(
  db: SessionDatabase,
  options: GappedMiningOptions,
  pause: Pause = nextTurn,
): Promise<FoundSequence[]> {
  const found: FoundSequence[] = [];
  const alphabet = db.names.length;
  const levels = Array.from({ length: options.maxLength }, () => new Counters(alphabet));
  let sliceStart = performance.now();

  const grow = async (prefix: number[], sessions: Int32Array, ends: Int32Array, depth: number): Promise<void> => {
    if (performance.now() - sliceStart > SLICE_MS) {
      await pause();
      sliceStart = performance.now();
    }
    const { children, continuations, continuationUsers } = scan(
      db,
      levels[depth],
      options,
      depth === 0 ? null : { sessions, ends },
    );
    for (const child of children) {
      const codes = [...prefix, child.code];
      if (codes.length >= options.minLength) {
        if (found.length >= options.maxResults) throw new TooManySequencesError(options.maxResults);
        found.push({ codes, support: child.support, occurrences: child.occurrences, continuations, continuationUsers });
      }
      if (codes.length < options.maxLength) await grow(codes, child.sessions, child.ends, depth + 1);
    }
  };
  await grow([], new Int32Array(0), new Int32Array(0), 0);
  return found;
}

interface Child {
  code: number;
  support: number;
  occurrences: number;
  /** The child's projection: session and end position of every occurrence, ordered by session, then position. */
  sessions: Int32Array;
  ends: Int32Array;
}

/**
 * One level (depth) of the search: per-action counters, reset lazily by generation, and the buffers its scans
 * write, reused by every node of that depth (a node's children are done before its next sibling is scanned).
 */
class Counters {
  /** Positions recorded by a scan (action, session, end), then the children's projections. */
  codes = new Int32Array(0);
  sessions = new Int32Array(0);
  ends = new Int32Array(0);
  childSessions = new Int32Array(0);
  childEnds = new Int32Array(0);
  readonly stamp: Int32Array;
  readonly support: Int32Array;
  readonly occurrences: Int32Array;
  readonly entries: Int32Array;
  readonly lastSession: Int32Array;
  readonly lastUser: Int32Array;
  readonly userOccurrences: Int32Array;
  readonly lastEnd: Int32Array;
  /** Where the action's child projection is being written; -1 when the action is not frequent. */
  readonly slot: Int32Array;
  readonly touched: number[] = [];
  generation = 0;

  constructor(size: number) {
    this.stamp = new Int32Array(size).fill(-1);
    this.support = new Int32Array(size);
    this.occurrences = new Int32Array(size);
    this.entries = new Int32Array(size);
    this.lastSession = new Int32Array(size);
    this.lastUser = new Int32Array(size);
    this.userOccurrences = new Int32Array(size);
    this.lastEnd = new Int32Array(size);
    this.slot = new Int32Array(size);
  }

  begin(capacity: number): void {
    this.generation++;
    this.touched.length = 0;
    if (this.codes.length < capacity) {
      const size = Math.max(capacity, this.codes.length * 2);
      this.codes = new Int32Array(size);
      this.sessions = new Int32Array(size);
      this.ends = new Int32Array(size);
      this.childSessions = new Int32Array(size);
      this.childEnds = new Int32Array(size);
    }
  }

  touch(code: number): void {
    if (this.stamp[code] === this.generation) return;
    this.stamp[code] = this.generation;
    this.support[code] = 0;
    this.occurrences[code] = 0;
    this.entries[code] = 0;
    this.lastSession[code] = -1;
    this.lastUser[code] = -1;
    this.userOccurrences[code] = 0;
    this.lastEnd[code] = -1;
    this.slot[code] = -1;
    this.touched.push(code);
  }
}

/**
 * Counts every action that can follow the prefix (from any of its end positions, within the gap; from anywhere in
 * a session at the root) and returns the frequent ones with their projections, and the occurrences of all.
 */
function scan(
  db: SessionDatabase,
  c: Counters,
  options: GappedMiningOptions,
  parent: { sessions: Int32Array; ends: Int32Array } | null,
): { children: Child[]; continuations: number; continuationUsers: number } {
  const { items, starts, users } = db;
  const span = options.maxGap + 1;
  const n = parent ? parent.sessions.length : db.sessionCount;
  c.begin(parent ? n * span : items.length);
  const { codes, sessions, ends, childSessions, childEnds } = c;
  let m = 0;
  // Sessions come in ascending order and one user's sessions are consecutive: a user is counted once.
  let continuationUsers = 0;
  let lastContinuingUser = -1;
  for (let i = 0; i < n; i++) {
    const s = parent ? parent.sessions[i] : i;
    const from = parent ? parent.ends[i] + 1 : starts[s];
    const to = parent ? Math.min(from + span, starts[s + 1]) : starts[s + 1];
    if (from < to && users[s] !== lastContinuingUser) {
      lastContinuingUser = users[s];
      continuationUsers++;
    }
    for (let q = from; q < to; q++) {
      const y = items[q];
      c.touch(y);
      if (c.lastSession[y] !== s) {
        c.lastSession[y] = s;
        c.lastEnd[y] = -1;
        const u = users[s];
        if (c.lastUser[y] !== u) {
          c.lastUser[y] = u;
          c.userOccurrences[y] = 0;
          c.support[y]++;
        }
      }
      // Ranges of later ends start later, so a position at or before the last one recorded is already recorded.
      if (q > c.lastEnd[y]) {
        c.lastEnd[y] = q;
        if (c.userOccurrences[y] < options.maxOccurrencesPerUser) {
          c.userOccurrences[y]++;
          c.occurrences[y]++;
        }
        codes[m] = y;
        sessions[m] = s;
        ends[m] = q;
        c.entries[y]++;
        m++;
      }
    }
  }
  let continuations = 0;
  for (const y of c.touched) continuations += c.occurrences[y];
  const frequent = c.touched.filter((y) => c.support[y] >= options.minSupport).sort((a, b) => a - b);
  // A stable counting sort of the recorded positions by action keeps each child's projection in order.
  const offsets: number[] = [];
  let total = 0;
  for (const y of frequent) {
    offsets.push(total);
    c.slot[y] = total;
    total += c.entries[y];
  }
  for (let j = 0; j < m; j++) {
    const at = c.slot[codes[j]];
    if (at < 0) continue;
    childSessions[at] = sessions[j];
    childEnds[at] = ends[j];
    c.slot[codes[j]] = at + 1;
  }
  const children = frequent.map((y, i) => {
    const start = offsets[i];
    const end = start + c.entries[y];
    return {
      code: y,
      support: c.support[y],
      occurrences: c.occurrences[y],
      sessions: childSessions.subarray(start, end),
      ends: childEnds.subarray(start, end),
    };
  });
  return { children, continuations, continuationUsers };
}
