/** Runs one SQL statement (the benchmark's own connection). */
export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

const SESSION = 10;
const CHUNK = 1_000_000;

/**
 * Seeds `users` consenting users and `events` of theirs over `days` days, straight in SQL (INSERT … SELECT over
 * generate_series, in chunks of a million, progress on stderr): sessions of 10 events in 5 modules of 20 actions,
 * 85 % interactions, 10 % feedback, 5 % one-off corrections. User i is md5('u' || i)::uuid. Answers the seconds taken.
 */
export async function seedEvents(q: Query, events: number, users: number, days: number): Promise<number> {
  const t0 = performance.now();
  await q(
    `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version)
     SELECT md5('u' || i)::uuid, true, 'bench' FROM generate_series(0, $1 - 1) i`,
    [users],
  );
  const sessions = Math.ceil(events / SESSION);
  for (let from = 0; from < events; from += CHUNK) {
    const to = Math.min(events, from + CHUNK);
    await q(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, session_id, timestamp, received_at, rating, signature, payload, key_id)
       SELECT gen_random_uuid(), md5('u' || ((g / ${SESSION}) % $3))::uuid, k.kind, 'm' || ((g / ${SESSION}) % 5),
              'a' || lpad(floor(random() * 20)::text, 2, '0'), 's' || (g / ${SESSION}),
              now() - interval '${days} days' + (g / ${SESSION}) * (interval '${days} days' / $4) + (g % ${SESSION}) * interval '1 second',
              now(),
              CASE WHEN k.kind = 'feedback' THEN floor(random() * 5)::int + 1 END,
              CASE WHEN k.kind = 'correction' THEN md5('noise' || g) END,
              '\\x00'::bytea, 'bench'
         FROM generate_series($1::bigint, $2::bigint - 1) g,
              LATERAL (SELECT CASE WHEN r < 0.85 THEN 'interaction' WHEN r < 0.95 THEN 'feedback' ELSE 'correction' END AS kind
                         FROM (SELECT random() + g * 0 AS r) x) k`,
      [from, to, users, sessions],
    );
    const elapsed = (performance.now() - t0) / 1000;
    process.stderr.write(
      `\r  seeding ${events.toLocaleString('en')} events: ${Math.round((100 * to) / events)} % (${elapsed.toFixed(0)} s)`,
    );
  }
  process.stderr.write('\n');
  await q('ANALYZE');
  return (performance.now() - t0) / 1000;
}
