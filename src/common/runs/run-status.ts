/** Where a run (a mining run, an insight generation, a retention purge) stands. */
export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
