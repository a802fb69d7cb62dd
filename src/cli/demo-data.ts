import { seededRandom } from '../common/random/seeded-random';
/**
 * The demo data set of `npm run seed:demo`: deterministic (a seeded generator), so every newcomer sees the same
 * patterns. 240 users; planted behaviour on top of random activity:
 *  - editor sessions open_file > edit > save (90 users) and open_file > edit > run_tests (40 users);
 *  - search > open_result in the chat module (60 users);
 *  - the correction "teh" → "the" (35 users) and "recieve" → "receive" (12 users);
 *  - feedback: editor/autocomplete mostly 4-5 (70 users), chat/summarize mostly 1-2 (40 users);
 *  - a reported workflow "tdd-loop" (write_test, run_tests, edit) from 15 users.
 */
const USERS = 240;
const DAY = 86_400_000;

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)];
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const userRandom = seededRandom(7);
export const DEMO_USERS: readonly string[] = Array.from({ length: USERS }, () => uuidFrom(userRandom));

const NOISE_ACTIONS: Record<string, string[]> = {
  editor: ['open_file', 'edit', 'save', 'format', 'rename', 'undo', 'search_in_file', 'close_file'],
  chat: ['ask', 'search', 'open_result', 'copy_answer', 'regenerate', 'summarize'],
  search: ['query', 'filter', 'open_result', 'refine', 'export'],
};

/** Every demo event, in the order they are sent; timestamps within the 30 days before `now`. */
export function buildDemoEvents(now: number): Record<string, unknown>[] {
  const random = seededRandom(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const events: Record<string, unknown>[] = [];
  let n = 0;
  const at = () => new Date(now - 30 * DAY + Math.floor(random() * 29 * DAY)).toISOString();
  const push = (
    userId: string,
    eventType: string,
    context: Record<string, string>,
    data: Record<string, unknown>,
    timestamp = at(),
  ) => events.push({ userId, eventType, context, data, timestamp, clientEventId: `demo-${n++}` });
  const session = (userId: string, module: string, actions: string[], tag: string) => {
    const start = Date.parse(at());
    actions.forEach((action, i) =>
      push(
        userId,
        'interaction',
        { module, action, sessionId: `demo-${tag}` },
        { outcome: 'success', durationMs: 200 + Math.floor(random() * 800) },
        new Date(start + i * 15_000).toISOString(),
      ),
    );
  };

  // Random activity: a few sessions per user.
  DEMO_USERS.forEach((u, i) => {
    for (let s = 0; s < 2; s++) {
      const module = pick(Object.keys(NOISE_ACTIONS));
      session(
        u,
        module,
        Array.from({ length: 4 + Math.floor(random() * 6) }, () => pick(NOISE_ACTIONS[module])),
        `noise-${i}-${s}`,
      );
    }
  });
  // Planted sequences.
  DEMO_USERS.slice(0, 90).forEach((u, i) => session(u, 'editor', ['open_file', 'edit', 'save'], `save-${i}`));
  DEMO_USERS.slice(100, 140).forEach((u, i) => session(u, 'editor', ['open_file', 'edit', 'run_tests'], `tests-${i}`));
  DEMO_USERS.slice(150, 210).forEach((u, i) => session(u, 'chat', ['search', 'open_result'], `chat-${i}`));
  // Corrections (differently cased and spaced: they normalize to one).
  DEMO_USERS.slice(0, 35).forEach((u, i) =>
    push(
      u,
      'correction',
      { module: 'editor', action: 'autocorrect' },
      { original: i % 2 ? 'Teh' : 'teh ', corrected: 'the' },
    ),
  );
  DEMO_USERS.slice(50, 62).forEach((u) =>
    push(u, 'correction', { module: 'editor', action: 'autocorrect' }, { original: 'recieve', corrected: 'receive' }),
  );
  // Feedback.
  DEMO_USERS.slice(20, 90).forEach((u) =>
    push(
      u,
      'feedback',
      { module: 'editor', action: 'autocomplete' },
      { rating: random() < 0.85 ? 4 + Math.floor(random() * 2) : 2 },
    ),
  );
  DEMO_USERS.slice(120, 160).forEach((u) =>
    push(
      u,
      'feedback',
      { module: 'chat', action: 'summarize' },
      { rating: random() < 0.8 ? 1 + Math.floor(random() * 2) : 4, comment: 'demo' },
    ),
  );
  // A reported workflow.
  DEMO_USERS.slice(200, 215).forEach((u) =>
    push(
      u,
      'pattern_discovery',
      { module: 'editor', action: 'report' },
      { patternType: 'workflow', signature: 'tdd-loop', items: ['write_test', 'run_tests', 'edit'] },
    ),
  );
  return events;
}
