/**
 * The ceiling the ingest benchmark compares against: a bare Fastify server that writes the same rows into the same
 * table with no validation, consent, encryption or idempotency. `copy` takes `{ events }` batches through
 * `COPY … FROM STDIN`; `single` takes one event per request with a single-row INSERT.
 * Run: node dist/bench/support/bare-server.js <copy|single> <port> <databaseUrl> <poolSize>
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

interface RawEvent {
  userId: string;
  eventType: string;
  context: { module: string; action: string; sessionId?: string };
  data: Record<string, unknown>;
  clientEventId?: string;
}

const COLUMNS = '(id, user_id, event_type, module, action, session_id, client_event_id, timestamp, payload, key_id)';
const text = (v: string | null | undefined) =>
  v == null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

function copyLine(e: RawEvent, now: string): string {
  const payload = `\\\\x${Buffer.from(JSON.stringify(e.data)).toString('hex')}`;
  return `${randomUUID()}\t${e.userId}\t${text(e.eventType)}\t${text(e.context.module)}\t${text(e.context.action)}\t${text(e.context.sessionId)}\t${text(e.clientEventId)}\t${now}\t${payload}\tbare\n`;
}

async function main(): Promise<void> {
  const [mode, port, url, poolSize] = process.argv.slice(2);
  const pool = new Pool({ connectionString: url, max: Number(poolSize ?? 20) });
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  if (mode === 'copy') {
    app.post('/batch', async (request) => {
      const events = (request.body as { events: RawEvent[] }).events;
      const now = new Date().toISOString();
      const client = await pool.connect();
      try {
        await pipeline(
          Readable.from([events.map((e) => copyLine(e, now)).join('')]),
          client.query(copyFrom(`COPY global_learning_events ${COLUMNS} FROM STDIN`)),
        );
      } finally {
        client.release();
      }
      return { accepted: events.length };
    });
  } else {
    app.post('/event', async (request) => {
      const e = request.body as RawEvent;
      await pool.query(
        `INSERT INTO global_learning_events ${COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, 'bare')`,
        [
          randomUUID(),
          e.userId,
          e.eventType,
          e.context.module,
          e.context.action,
          e.context.sessionId ?? null,
          e.clientEventId ?? null,
          Buffer.from(JSON.stringify(e.data)),
        ],
      );
      return { accepted: 1 };
    });
  }
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.send?.('ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
