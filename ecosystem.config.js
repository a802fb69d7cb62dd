/**
 * PM2 (https://pm2.keymetrics.io) for one host with several cores: `npm run build`, run migrations once with
 * `npm run migration:up`, then `pm2 start ecosystem.config.js --env production`.
 *
 * Cluster mode forks one worker per core sharing the port. Every worker is a full instance of the service: workers
 * coordinate through PostgreSQL (scheduled-job claims, advisory locks) and Redis (shared rate limits, cache and
 * consent invalidations), exactly like instances on separate hosts — so DATABASE_URL and REDIS_URL are required, as
 * are real keys (each worker generating its own development keys would not work). Put the settings in the
 * environment or an env file your deployment loads; never in this file.
 */
module.exports = {
  apps: [
    {
      name: 'ai-learning',
      script: 'dist/src/main.js',
      exec_mode: 'cluster',
      instances: process.env.WEB_CONCURRENCY || 'max',
      // The service drains in-flight requests on SIGINT for up to SHUTDOWN_TIMEOUT_MS (10 s); give it a margin.
      kill_timeout: 15000,
      listen_timeout: 30000,
      // A worker that keeps dying at boot (bad settings, database refused) is not restarted forever.
      min_uptime: 15000,
      max_restarts: 10,
      exp_backoff_restart_delay: 200,
      max_memory_restart: '1536M',
      merge_logs: true,
      env_production: {
        NODE_ENV: 'production',
        // Workers must not race each other migrating at boot: run `npm run migration:up` once before starting.
        DATABASE_MIGRATE_ON_BOOT: 'false',
      },
    },
  ],
};
