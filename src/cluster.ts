import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

/**
 * `npm run start:cluster`: several instances of the service in one host's cores (Node's cluster module shares the
 * listening port). Every worker is a full instance: they coordinate through PostgreSQL (advisory locks, the
 * consent re-check of every insert) and Redis when `REDIS_URL` is set, exactly like instances on separate hosts.
 * `WEB_CONCURRENCY` sets the number of workers (default: the available cores). Needs `DATABASE_URL` (the
 * embedded development database serves one process only) and real keys (`JWT_SECRET`, `ENCRYPTION_KEY(S)`):
 * workers generating development keys each on their own could end up with different ones.
 */
const workers = Number(process.env.WEB_CONCURRENCY ?? availableParallelism());

if (cluster.isPrimary) {
  const missing = [
    !process.env.DATABASE_URL && 'DATABASE_URL',
    !process.env.JWT_SECRET && 'JWT_SECRET',
    !process.env.ENCRYPTION_KEY && !process.env.ENCRYPTION_KEYS && 'ENCRYPTION_KEY',
  ].filter(Boolean);
  if (missing.length > 0) {
    console.error(
      `start:cluster needs ${missing.join(', ')}: every worker must share one database and one set of keys`,
    );
    process.exit(1);
  }
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    console.error('WEB_CONCURRENCY must be an integer from 1 to 64');
    process.exit(1);
  }
  // A worker that dies soon after it started (bad configuration, database refused) would die again: stop instead
  // of restarting it in a loop.
  const STARTUP_MS = 15_000;
  const startedAt = new Map<number, number>();
  let stopping = false;
  let exitCode = 0;
  const fork = () => startedAt.set(cluster.fork().id, Date.now());
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    if (lived < STARTUP_MS) {
      console.error(
        `worker ${worker.process.pid} exited (${signal ?? code}) ${lived} ms after it started; stopping the others`,
      );
      exitCode = 1;
      stopAll('SIGTERM');
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
      return;
    }
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(signal));
} else {
  // Only a worker loads the service; a static import would start it in the primary too.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./main');
}
